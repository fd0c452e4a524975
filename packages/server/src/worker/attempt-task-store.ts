/**
 * The server's task store: an attempt's record lives in the database, so any worker, in any home
 * on any machine, can take any round of it. The stored round (diff and conversation, written
 * together when a round ends) is what a follow-up continues from; events go to the events table;
 * a command's whole output and a diff past the inline cap are blobs in the database.
 * The worker's home keeps only scratch: the live workspace under `tasks/<attempt>/` and a note of
 * what it is (core's workspace-note.ts), reused by the next round here only while it still shows
 * the stored diff. Wiping the home loses nothing: the next round rebuilds the workspace.
 */
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import {
  type ConversationState,
  type QuireEvent,
  readWorkspaceNote,
  removeWorkspace,
  type SandboxBackendName,
  type TaskRecord,
  type TaskStore,
  writeWorkspaceNote,
} from "@quire/core";
import type { Attempt, Repos, Task } from "../storage/index.js";
import { type StoredDiff, storeDiff, wholeDiffOf } from "../tasks/diff-storage.js";
import type { EventWriter } from "./event-writer.js";

export interface AttemptTaskStoreOptions {
  repos: Repos;
  /** The worker's home: only scratch goes there. */
  home: string;
  task: Task;
  attempt: Attempt;
  /** This worker's copy of the repository (its own clone of a URL, or the local path). */
  sourceDir: string;
  commit: string;
  sandbox: SandboxBackendName;
  events: EventWriter;
  /** config.toml `[limits] diff_inline_bytes`: a longer diff becomes a blob. */
  diffInlineBytes?: number;
}

export class AttemptTaskStore implements TaskStore {
  private record: TaskRecord | undefined;
  /** The round's latest conversation, written with its diff when the round ends. */
  private conversation: string | undefined;
  private lastDiff: StoredDiff | undefined;

  constructor(private readonly options: AttemptTaskStoreOptions) {}

  get tasksDir(): string {
    return path.join(this.options.home, "tasks");
  }

  taskDir(id: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) throw new Error(`invalid attempt id ${JSON.stringify(id)}`);
    return path.join(this.tasksDir, id);
  }

  async create(record: TaskRecord): Promise<void> {
    await mkdir(this.tasksDir, { recursive: true, mode: 0o700 });
    await chmod(this.tasksDir, 0o700);
    // A first round tried again (its worker died before storing it) starts from a clean folder.
    await removeWorkspace(this.taskDir(record.id));
    await mkdir(this.taskDir(record.id), { recursive: true });
    await this.save(record);
  }

  async save(record: TaskRecord): Promise<void> {
    record.updatedAt = new Date().toISOString();
    this.record = record;
    await writeWorkspaceNote(this.taskDir(record.id), record);
  }

  /** The attempt as the database has it; the live workspace only when this home has one of the same base. */
  async load(id: string): Promise<TaskRecord> {
    const { repos, task, commit } = this.options;
    const attempt = await repos.attempts.get(id);
    if (!attempt || !(await repos.attempts.hasStoredRound(id))) {
      throw new Error(`attempt ${id} has no stored round to continue`);
    }
    const taskDir = this.taskDir(id);
    const note = await readWorkspaceNote(taskDir);
    const live = note?.baseCommit === commit ? note : undefined;
    const record: TaskRecord = {
      id,
      mode: task.mode,
      prompts: [task.prompt],
      sourceRoot: this.options.sourceDir,
      baseCommit: commit,
      branch: `quire/${id}`,
      workspace: live?.workspace ?? path.join(taskDir, "repo"),
      ...(live?.baseTree ? { baseTree: live.baseTree } : {}),
      ...(live?.snapshotDir ? { snapshotDir: live.snapshotDir } : {}),
      ...(live?.overlay !== undefined ? { overlay: live.overlay } : {}),
      readOnlyPaths: live?.readOnlyPaths ?? [],
      provider: "openai",
      model: task.model ?? "",
      sandbox: this.options.sandbox,
      // The stored round is over (this worker holds the attempt now); no reason carried over, so
      // a live workspace is trusted only when it shows the stored diff (rebuild.ts).
      status: "completed",
      finalMessage: attempt.finalMessage,
      ...(attempt.usage ? { usage: attempt.usage } : {}),
      // CPU seconds add up over the rounds this worker runs of the attempt (the meter's total).
      ...(this.record?.id === id && this.record.sandboxCpuSeconds !== undefined
        ? { sandboxCpuSeconds: this.record.sandboxCpuSeconds }
        : {}),
      createdAt: attempt.createdAt,
      updatedAt: attempt.updatedAt,
    };
    this.record = record;
    return record;
  }

  appendEvent(_id: string, event: QuireEvent): void {
    // The server writes its own task.completed, after verification (runner.ts).
    if (event.type !== "task.completed") this.options.events.push(event);
  }

  async saveConversation(_id: string, state: ConversationState): Promise<void> {
    // Kept until the round's diff is stored with it: a stored conversation never describes work
    // that the stored diff lacks (a round cut off mid-way leaves the previous round standing).
    this.conversation = JSON.stringify(state);
  }

  async loadConversation(id: string): Promise<ConversationState> {
    const text = await this.options.repos.attempts.conversation(id);
    if (text === null) throw new Error(`attempt ${id} has no stored conversation`);
    return JSON.parse(text) as ConversationState;
  }

  async saveCommandOutput(id: string, itemId: string, output: string): Promise<void> {
    const { repos, task } = this.options;
    const stored = await repos.blobs.put(output);
    await repos.commandOutputs.put({ taskId: task.id, attemptId: id, itemId, blob: stored.ref, bytes: stored.bytes });
  }

  async saveDiff(id: string, diff: string): Promise<void> {
    const stored = await storeDiff(diff, this.options.repos.blobs, this.options.diffInlineBytes);
    await this.options.repos.attempts.saveRound(id, {
      ...stored,
      ...(this.conversation !== undefined ? { conversation: this.conversation } : {}),
    });
    this.conversation = undefined;
    this.lastDiff = stored;
  }

  async loadDiff(id: string): Promise<string> {
    const attempt = await this.options.repos.attempts.get(id);
    return attempt ? wholeDiffOf(attempt, this.options.repos.blobs) : "";
  }

  /** How the last round's diff was stored (its head and blob), so finishing does not store it again. */
  storedDiff(): StoredDiff | undefined {
    return this.lastDiff;
  }
}

import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ConversationState } from "../agent/conversation.js";
import type { QuireEvent } from "../events.js";
import type { TaskRecord, TaskStore } from "./task-store.js";

export type { TaskRecord } from "./task-store.js";

/**
 * `quire exec`'s task store (a server keeps its tasks in its database instead).
 * Local tasks, one folder each under `<quire home>/tasks/<id>/`: task.json (the record),
 * events.jsonl (every event, appended as it happens), conversation.json (to resume),
 * diff.patch (the latest diff), outputs/<item>.txt (the whole output of a command whose event
 * kept only head and tail) and repo/ (the workspace).
 */
export class LocalTaskStore implements TaskStore {
  constructor(readonly home: string) {}

  get tasksDir(): string {
    return path.join(this.home, "tasks");
  }

  taskDir(id: string): string {
    return path.join(this.tasksDir, id);
  }

  /** Sortable by creation time, short enough to type. */
  static newId(): string {
    return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  }

  async create(record: TaskRecord): Promise<void> {
    // Ids name folders: a caller-chosen one must not be able to point elsewhere.
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(record.id)) throw new Error(`invalid task id ${JSON.stringify(record.id)}`);
    // Only the owner may enter the tasks folder: workspaces hold the user's code and setup's output.
    await mkdir(this.tasksDir, { recursive: true, mode: 0o700 });
    await chmod(this.tasksDir, 0o700);
    await mkdir(this.taskDir(record.id), { recursive: true });
    await this.save(record);
  }

  async save(record: TaskRecord): Promise<void> {
    record.updatedAt = new Date().toISOString();
    await writeAtomically(path.join(this.taskDir(record.id), "task.json"), `${JSON.stringify(record, null, 2)}\n`);
  }

  async load(idOrPrefix: string): Promise<TaskRecord> {
    const id = await this.resolveId(idOrPrefix);
    const record = JSON.parse(await readFile(path.join(this.taskDir(id), "task.json"), "utf8")) as TaskRecord;
    return markIfInterrupted(record);
  }

  /** Accepts a full id or a unique prefix of one. */
  async resolveId(idOrPrefix: string): Promise<string> {
    if (!/^[a-z0-9]+$/.test(idOrPrefix)) throw new Error(`invalid task id ${JSON.stringify(idOrPrefix)}`);
    if (existsSync(path.join(this.taskDir(idOrPrefix), "task.json"))) return idOrPrefix;
    const matches = (await this.ids()).filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length === 0) throw new Error(`no task ${idOrPrefix} (see \`quire tasks\`)`);
    throw new Error(`task id prefix ${idOrPrefix} is ambiguous: ${matches.join(", ")}`);
  }

  async ids(): Promise<string[]> {
    const entries = await readdir(this.tasksDir, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isDirectory() && existsSync(path.join(this.tasksDir, entry.name, "task.json")))
      .map((entry) => entry.name)
      .sort();
  }

  async list(): Promise<TaskRecord[]> {
    const records = await Promise.all((await this.ids()).map((id) => this.load(id).catch(() => null)));
    return records.filter((record): record is TaskRecord => record !== null);
  }

  /** Appended synchronously so that an event is on disk before anyone is told of it. */
  appendEvent(id: string, event: QuireEvent): void {
    appendFileSync(path.join(this.taskDir(id), "events.jsonl"), `${JSON.stringify(event)}\n`);
  }

  async events(id: string): Promise<QuireEvent[]> {
    const text = await readFile(path.join(this.taskDir(id), "events.jsonl"), "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as QuireEvent);
  }

  async saveConversation(id: string, state: ConversationState): Promise<void> {
    await writeAtomically(path.join(this.taskDir(id), "conversation.json"), JSON.stringify(state));
  }

  async loadConversation(id: string): Promise<ConversationState> {
    return JSON.parse(await readFile(path.join(this.taskDir(id), "conversation.json"), "utf8")) as ConversationState;
  }

  /** Where the whole output of command item `itemId` is kept (`outputs/<item>.txt` in the task's directory). */
  commandOutputPath(id: string, itemId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(itemId)) throw new Error(`not a command item id: ${JSON.stringify(itemId)}`);
    return path.join(this.taskDir(id), "outputs", `${itemId}.txt`);
  }

  async saveCommandOutput(id: string, itemId: string, output: string): Promise<void> {
    const file = this.commandOutputPath(id, itemId);
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomically(file, output);
  }

  async saveDiff(id: string, diff: string): Promise<void> {
    await writeAtomically(path.join(this.taskDir(id), "diff.patch"), diff);
  }

  async loadDiff(id: string): Promise<string> {
    return readFile(path.join(this.taskDir(id), "diff.patch"), "utf8").catch(() => "");
  }
}

/** Write-then-rename, so a crash never leaves a half-written file. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A task whose process was killed (SIGKILL, a crash, a reboot) stays "running" on disk; it is
 * reported as failed ("interrupted"), and its events so far, workspace and conversation stay
 * usable, so `--resume` can go on from there.
 */
function markIfInterrupted(record: TaskRecord): TaskRecord {
  if (record.status !== "running" || record.pid === undefined || processAlive(record.pid)) return record;
  return {
    ...record,
    status: "failed",
    reason: `interrupted: the process running the task (pid ${record.pid}) is gone`,
  };
}

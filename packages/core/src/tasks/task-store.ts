/**
 * What running a task (run-task.ts) needs from wherever a task's record lives. `quire exec` keeps
 * it in files under Quire's home (LocalTaskStore: `task.json`, `events.jsonl`, …); a server keeps
 * it in its database, so that any worker can take any round. Either way the task's workspace is
 * scratch under `taskDir(id)` on the machine running the round: nothing a later round needs may
 * live only there (the stored diff and conversation rebuild it, see rebuild.ts).
 */
import type { ConversationState } from "../agent/conversation.js";
import type { QuireEvent } from "../events.js";
import type { TaskStatus, TaskUsage } from "../events.js";
import type { ProviderName } from "../models/types.js";
import type { ReviewResult } from "../review/findings.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import type { TaskMode } from "../tools/types.js";

export interface TaskStore {
  /** The task's scratch folder on this machine: its workspace (`repo/`, `upper/`, …) and temporary files. */
  taskDir(id: string): string;
  /** Records a new task (its folder is made too). */
  create(record: TaskRecord): Promise<void>;
  /** Records the task's current state (status, workspace, base tree, …). */
  save(record: TaskRecord): Promise<void>;
  /** The task's record, to continue it; throws when there is none. */
  load(id: string): Promise<TaskRecord>;
  /** Keeps an event, synchronously in order of emission, before anyone is told of it. */
  appendEvent(id: string, event: QuireEvent): void;
  /**
   * The conversation so far; called as the round goes and once at its end. A store may keep only
   * the last one of a round, written with the round's diff (`saveDiff`), so the two always agree.
   */
  saveConversation(id: string, state: ConversationState): Promise<void>;
  /** The stored conversation; throws when there is none. */
  loadConversation(id: string): Promise<ConversationState>;
  /** The whole output of a command whose event kept only head and tail. */
  saveCommandOutput(id: string, itemId: string, output: string): Promise<void>;
  /** The round's result: the diff against the base (ends the round, see `saveConversation`). */
  saveDiff(id: string, diff: string): Promise<void>;
  /** The last stored diff, whole ("" when there is none). */
  loadDiff(id: string): Promise<string>;
}

export interface TaskRecord {
  /** CPU seconds the task's sandboxed commands used, over all its turns (null: not measurable here). */
  sandboxCpuSeconds?: number | null;
  id: string;
  mode: TaskMode;
  /** Every prompt sent to the task: the first, then follow-ups. */
  prompts: string[];
  /** The user's checkout the task was made from. */
  sourceRoot: string;
  baseCommit: string;
  branch: string;
  /** The task's own checkout (under the task's folder). */
  workspace: string;
  /** The tree task diffs are taken against: the commit as the environment's setup left it. */
  baseTree?: string;
  /** The environment snapshot the workspace is a copy-on-write view of. */
  snapshotDir?: string;
  /** Whether the workspace is an overlayfs mount (mounted only while the task runs). */
  overlay?: boolean;
  /** The agent phase's network mode. */
  network?: "off" | "allowlist" | "on";
  readOnlyPaths: string[];
  /** The user's checkout had uncommitted changes to tracked files, which the task does not see. */
  sourceDirty?: boolean;
  provider: ProviderName;
  model: string;
  sandbox: SandboxBackendName;
  status: TaskStatus | "running";
  /** The process running the task, while it runs: a record left "running" by a dead one is interrupted. */
  pid?: number;
  reason?: string;
  finalMessage: string | null;
  /** Review mode: the findings of the latest round, when it ended with valid ones. */
  review?: ReviewResult;
  /** Review mode: what the change under review is (shown to the agent with its diff). */
  reviewOf?: string;
  usage?: TaskUsage;
  createdAt: string;
  updatedAt: string;
}

// What running a task takes and gives back; beside run-task.ts so its parts can name them without a circle.
import type { AgentLimits } from "../agent/loop.js";
import type { SnapshotScope } from "../environments/snapshot.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { QuireEvent, TaskStatus } from "../events.js";
import type { ImageInput } from "../models/images.js";
import type { ModelClient, ModelStreamEvent } from "../models/types.js";
import type { OutboundAllowance } from "../network/operator-allowance.js";
import type { ReviewResult } from "../review/findings.js";
import type { ReviewRequest } from "../review/reply.js";
import type { ContainerOptions, SandboxBackendName } from "../sandbox/types.js";
import type { TaskMode } from "../tools/types.js";
import type { PreparedTask } from "./prepare.js";
import type { TaskRecord, TaskStore } from "./task-store.js";

export interface TaskRunOptions {
  home: string;
  prompt: string;
  /** Who sent the prompt, when a server knows; recorded on the round's `user_message` item. */
  author?: string;
  /** Images sent with the prompt (checked by their bytes already: models/images.ts). */
  images?: ImageInput[];
  model: ModelClient;
  /** Whether the model takes images (config `image_input`); false refuses images and hides view_image. */
  imageInput?: boolean;
  sandbox: SandboxBackendName;
  limits: AgentLimits;
  contextWindow: number;
  agentsMd?: { fallbackNames?: string[]; maxBytes?: number };
  signal: AbortSignal;
  /** Every event, after it is on disk. */
  onEvent: (event: QuireEvent) => void;
  /**
   * Where the task's record, events, conversation, diff and kept command outputs go; a server
   * passes its database's. Absent: the local task store under `home` (`quire exec`).
   */
  store?: TaskStore;
  onModelEvent?: (event: ModelStreamEvent) => void;
  /** Called once the task exists (id, workspace), before the model is called. */
  onStarted?: (record: TaskRecord) => void;
  /** Engine and image when `sandbox` is "container". */
  container?: ContainerOptions;
  /**
   * Runs the workspace preparation (clone, setup, snapshot, mount); a server passes a gate that
   * lets only a few run at once, so a burst of new tasks does not starve the running ones of CPU.
   */
  preparationGate?: (prepare: () => Promise<PreparedTask>) => Promise<PreparedTask>;
  /**
   * Private destinations the operator lets setup, maintenance and the agent phase's network reach
   * (config.toml `[outbound]`).
   */
  outbound?: OutboundAllowance;
  /** Resolves the environment once the repository root is known; safe defaults when absent. */
  environmentFor?: (sourceRoot: string) => Promise<EnvironmentForTask>;
}

/** The environment of a repository and its secret values (for setup only). */
export interface EnvironmentForTask {
  environment: ResolvedEnvironment;
  secretValues: Record<string, string>;
  /** Whose snapshots the task may reuse (LOCAL_SNAPSHOT_SCOPE for `quire exec`). */
  snapshotScope: SnapshotScope;
}

export interface NewTaskOptions extends TaskRunOptions {
  /** A directory inside the user's checkout; the agent starts in the same place in its copy. */
  repo: string;
  mode: TaskMode;
  /** The task's id (a server passes its attempt id); a fresh one when absent. */
  id?: string;
  /** A commit (or any revision) of the repository to start from instead of HEAD. */
  revision?: string;
  /**
   * Review mode: the change to review, as a diff applied to `revision` before the agent starts
   * (`reviewRange` turns two revisions into one). `prompt` is then the person's own words.
   */
  review?: ReviewRequest;
}

export interface TaskResult {
  record: TaskRecord;
  status: TaskStatus;
  finalMessage: string | null;
  diff: string;
  reason?: string;
  /** Review mode: the findings, when the round ended with valid ones. */
  review?: ReviewResult;
}

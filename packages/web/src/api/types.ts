/**
 * The server's HTTP API as the web app sees it (JSON over HTTP only; no server code is imported).
 * Event payloads come from core's event schema, imported as types only.
 */
import type { QuireEvent, TaskUsage, ThreadItem, VerificationStatus } from "@quire/core/events";

export type { QuireEvent, TaskUsage, ThreadItem, VerificationStatus };

export type TaskStatus = "queued" | "preparing" | "running" | "completed" | "failed" | "cancelled" | "interrupted";
export type TaskMode = "code" | "ask";

export const ACTIVE_STATUSES: readonly TaskStatus[] = ["queued", "preparing", "running"];

export interface Repository {
  id: string;
  name: string;
  source: string;
  defaultBranch: string;
  createdAt: string;
  /** Its GitHub, GitLab or Gitea project, when linked (docs/forges.md). */
  forge?: { kind: "github" | "gitlab" | "gitea"; repo: string } | null;
  /** New and updated pull requests on its forge are reviewed by themselves. */
  autoReview?: boolean;
}

export interface Branch {
  name: string;
  commit: string;
}

/** What may be shown about a secret: its name and version, never its value. */
export interface SecretInfo {
  name: string;
  version: number;
  updatedAt: string;
}

export type NetworkMode = "off" | "allowlist" | "on";

/** An environment's definition: the keys of `.quire/environment.toml` (secret names only). */
export interface EnvironmentDefinition {
  setup?: string;
  maintenance?: string;
  variables?: Record<string, string>;
  secrets?: string[];
  network?: { mode?: NetworkMode; preset?: boolean; domains?: string[]; methods?: "safe" | "all" };
  limits?: Partial<Record<LimitKey, number>>;
  checks?: string[];
  cache_ttl_hours?: number;
}

export const LIMIT_KEYS = [
  "command_timeout_ms",
  "max_command_timeout_ms",
  "task_timeout_ms",
  "output_bytes",
  "max_processes",
  "memory_mb",
  "cpu_seconds",
  "file_size_mb",
  "disk_mb",
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

export interface Environment {
  id: string;
  repositoryId: string;
  name: string;
  definition: EnvironmentDefinition;
  secrets: SecretInfo[];
  createdAt: string;
  updatedAt: string;
}

export interface DiffStats {
  files: number;
  insertions: number;
  deletions: number;
}

export interface PullRequest {
  url: string;
  number: number;
  kind: string;
}

export interface Delivery {
  branch: string;
  /** The branch's head as Quire last pushed it. */
  commit: string;
  /** Every commit Quire pushed to the branch, oldest first (absent in records older than updates). */
  commits?: string[];
  /** This delivery added a commit to the branch delivered before. */
  updated?: boolean;
  remote: string;
  pullRequest?: PullRequest;
  message: string;
  attemptId?: string;
  deliveredAt?: string;
}

export interface Task {
  id: string;
  repositoryId: string;
  ref: string;
  baseCommit: string | null;
  mode: TaskMode;
  prompt: string;
  status: TaskStatus;
  attemptsRequested: number;
  environmentId: string | null;
  model: string | null;
  archived: boolean;
  finalMessage: string | null;
  reason: string | null;
  cancelRequestedAt: string | null;
  lastEventSeq: number;
  delivery: Delivery | null;
  createdAt: string;
  updatedAt: string;
  bestAttemptId: string | null;
  verification: VerificationStatus | null;
  diffStats: DiffStats | null;
}

export interface Attempt {
  id: string;
  taskId: string;
  number: number;
  status: TaskStatus;
  diff: string | null;
  /** The diff was too large for JSON: `diff` is its head; diffUrl() serves it all. */
  diffTruncated?: true;
  diffBytes?: number;
  diffStats: DiffStats | null;
  finalMessage: string | null;
  reason: string | null;
  verification: VerificationStatus | null;
  verificationLog: string | null;
  usage: TaskUsage | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** One message of `GET /api/tasks/:id/events`: a stored event with its per-task seq. */
export interface StoredEvent {
  taskId: string;
  attemptId: string | null;
  seq: number;
  event: QuireEvent;
  createdAt: string;
}

export interface NewTask {
  repo: string;
  ref: string;
  mode: TaskMode;
  prompt: string;
  attempts: number;
  environment?: string;
  model?: string;
}

/** `GET /api/tasks`'s query (docs/server.md). */
export interface TaskFilter {
  status?: readonly TaskStatus[];
  repo?: string;
  mode?: TaskMode;
  /** Text the prompt contains. */
  q?: string;
  delivered?: boolean;
  archived?: boolean;
  limit?: number;
  /** The `next` cursor of the previous page. */
  before?: string;
}

export interface TaskPage {
  tasks: Task[];
  /** The cursor of the following page; null on the last. */
  next: string | null;
}

export const TASK_STATUSES: readonly TaskStatus[] = [
  "queued",
  "preparing",
  "running",
  "completed",
  "failed",
  "cancelled",
  "interrupted",
];

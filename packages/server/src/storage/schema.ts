/**
 * The database's tables as Kysely sees them. Columns are portable across SQLite and PostgreSQL:
 * timestamps are ISO-8601 text (fixed width, so they sort and compare as strings), JSON is text,
 * booleans are integers 0/1 (better-sqlite3 cannot bind JS booleans). The repositories in this
 * folder turn rows into the camelCase records the rest of the server uses.
 */
import type { TaskMode } from "@quire/core";
import { TASK_STATUSES, type TaskStatus as StoredTaskStatus } from "@quire/protocol";
import type { Generated } from "kysely";
import type { AccountsDatabase } from "./accounts-schema.js";
import type { UsageDatabase } from "./usage-schema.js";

/** A task's lifecycle (the API's list); "interrupted" means the worker running it died (its lease ran out). */
export { TASK_STATUSES, type StoredTaskStatus };
/** Attempts go through the same states as tasks. */
export type AttemptStatus = StoredTaskStatus;
export type VerificationStatus = "verified" | "checks_failed" | "skipped";

export interface RepositoriesTable {
  id: string;
  name: string;
  /** A local path or a git URL. */
  source: string;
  default_branch: string;
  created_at: string;
  /** The workspace it belongs to (accounts-schema.ts); null only if written so on purpose. */
  workspace_id: string | null;
  /** When it was removed (its tasks still refer to it); null while it is in use. */
  removed_at: string | null;
  /** The user and password the URL was given with, as JSON, encrypted (secret-cipher.ts); null: none. */
  source_credentials: string | null;
  /** The forge project it is linked to: "github" | "gitlab" | "gitea", and `owner/name`; null: none. */
  forge_kind: string | null;
  forge_repo: string | null;
  /** 1: new and updated pull requests on its forge are reviewed on their own. */
  auto_review: Generated<number>;
}

export interface ForgeDeliveriesTable {
  forge: string;
  /** X-GitHub-Delivery, X-Gitlab-Event-UUID, X-Gitea-Delivery. */
  delivery_id: string;
  received_at: string;
}

export interface ForgeTriggersTable {
  id: string;
  task_id: string;
  forge: string;
  forge_repo: string;
  /** The issue or pull request commented on. */
  number: number;
  on_pull_request: number;
  /** "code" | "ask" | "follow_up" | "review". */
  command: string;
  /** Who asked, on the forge. */
  login: string;
  created_at: string;
  /** When the task's end was answered on the forge; null while it runs. */
  answered_at: string | null;
}

export interface EnvironmentsTable {
  id: string;
  repository_id: string;
  name: string;
  /** JSON text: the environment definition (setup script, network, limits, ...). */
  definition: string;
  created_at: string;
  updated_at: string;
  workspace_id: string | null;
}

export interface EnvironmentSecretsTable {
  environment_id: string;
  name: string;
  value: string;
  /** Bumped on every write, so snapshot caches keyed on it go stale when a secret changes. */
  version: number;
  updated_at: string;
}

export interface TasksTable {
  id: string;
  repository_id: string;
  ref: string;
  base_commit: string | null;
  mode: TaskMode;
  prompt: string;
  status: StoredTaskStatus;
  attempts_requested: number;
  environment_id: string | null;
  model: string | null;
  archived: number;
  final_message: string | null;
  /** Why the task ended as it did, when it did not complete. */
  reason: string | null;
  /** Set by a cancel request; the worker running the task polls it and stops. */
  cancel_requested_at: string | null;
  /** The last event sequence number handed out; the row lock on it serializes appends. */
  last_event_seq: number;
  /** JSON text: where the task's diff was delivered (branch, commit, pull request), once it was. */
  delivery: string | null;
  created_at: string;
  updated_at: string;
  workspace_id: string | null;
  /** The user who created it (null before accounts, or for the implicit local user's old tasks). */
  created_by: string | null;
  /** JSON text, review mode: what the task reviews (ReviewTarget); null for other modes. */
  review_target: string | null;
}

export interface AttemptsTable {
  id: string;
  task_id: string;
  /** 1..attempts_requested. */
  number: number;
  status: AttemptStatus;
  worker_id: string | null;
  lease_expires_at: string | null;
  diff: string | null;
  /** The blob store's reference of the whole diff when `diff` holds only its head. */
  diff_blob: string | null;
  /** The whole diff's size when it is in the blob store (PostgreSQL returns a bigint as text). */
  diff_bytes: number | string | null;
  /** JSON text: { files, insertions, deletions }. */
  diff_stats: string | null;
  final_message: string | null;
  reason: string | null;
  verification: VerificationStatus | null;
  verification_log: string | null;
  /** JSON text: the attempt's usage (tokens, model calls). */
  usage: string | null;
  /** JSON text: the conversation after the latest round (core's ConversationState); null before one. */
  conversation: string | null;
  /** JSON text, review mode: the findings the latest round ended with (core's ReviewResult). */
  review: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** Follow-up prompts sent into a task after its first one. */
export interface MessagesTable {
  id: string;
  task_id: string;
  /** The attempt the follow-up continues; null for all of them. */
  attempt_id: string | null;
  text: string;
  created_at: string;
  /** When a worker took the message into its attempt; null while it waits. */
  delivered_at: string | null;
  /** The user who sent it; null when unknown (sent before authors were kept). */
  author_id: string | null;
}

export interface EventsTable {
  task_id: string;
  attempt_id: string | null;
  /** Per task, 1, 2, 3, ... with no gap: the SSE event id that `Last-Event-ID` resumes from. */
  seq: number;
  type: string;
  /** JSON text: the whole event. */
  data: string;
  created_at: string;
}

export interface Database extends AccountsDatabase, UsageDatabase {
  repositories: RepositoriesTable;
  environments: EnvironmentsTable;
  environment_secrets: EnvironmentSecretsTable;
  tasks: TasksTable;
  attempts: AttemptsTable;
  messages: MessagesTable;
  events: EventsTable;
  command_outputs: CommandOutputsTable;
  forge_deliveries: ForgeDeliveriesTable;
  forge_triggers: ForgeTriggersTable;
  blobs: BlobsTable;
  blob_chunks: BlobChunksTable;
  task_images: TaskImagesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** An outbound webhook of a workspace; `url` and `secret` are encrypted (secret-cipher.ts). */
export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  /** The URL's origin, for lists (the path of a Slack URL is a credential). */
  url_hint: string;
  secret: string;
  /** "json" | "slack". */
  format: string;
  /** JSON text: the event names it is sent for. */
  events: string;
  created_by: string | null;
  created_at: string;
  /** "delivered" | "failed"; null before the first delivery. */
  last_status: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_event: string | null;
  last_attempts: number | null;
  last_at: string | null;
}

/** A notice a webhook is owed, tried until it is delivered or given up (webhook-deliveries-repo.ts). */
export interface WebhookDeliveriesTable {
  /** Also the `x-quire-delivery` header: the same on every try. */
  id: string;
  webhook_id: string;
  event: string;
  task_id: string | null;
  /** The exact bytes posted (and signed) on every try. */
  body: string;
  /** "pending" | "delivered" | "failed". */
  status: string;
  /** Tries made so far. */
  attempts: number;
  /** When the next try is due; null once delivered or given up. */
  next_attempt_at: string | null;
  /** The claim of the process making a try, valid until `claimed_until`. */
  claimed_by: string | null;
  claimed_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** An image sent with a task's prompt (`message_id` null) or with a follow-up. */
export interface TaskImagesTable {
  id: string;
  task_id: string;
  message_id: string | null;
  /** Its place among the message's images. */
  position: number;
  media_type: string;
  bytes: number;
  data: Buffer;
  created_at: string;
}

/** One stored blob: its content's sha256 and size (its bytes are in blob_chunks). */
export interface BlobsTable {
  ref: string;
  /** PostgreSQL returns a bigint as text. */
  bytes: number | string;
  created_at: string;
}

/** A blob's bytes in order; `ref` is the blob's, or `incoming-…` while it is still being written. */
export interface BlobChunksTable {
  ref: string;
  seq: number;
  data: Buffer;
}

/** The whole output of a command whose event copy was cut, kept in the blob store. */
export interface CommandOutputsTable {
  task_id: string;
  attempt_id: string;
  item_id: string;
  /** The blob store's reference (sha256). */
  blob: string;
  /** PostgreSQL returns a bigint as text. */
  bytes: number | string;
  created_at: string;
}

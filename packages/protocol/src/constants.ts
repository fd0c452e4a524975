/**
 * The contract's fixed lists, without zod: the web app imports these at run time (and the schemas'
 * types only), so its bundle carries no schema code.
 */

/** Every status a task or an attempt can have; the first three are active. */
export const TASK_STATUSES = [
  "queued",
  "preparing",
  "running",
  "completed",
  "failed",
  "cancelled",
  "interrupted",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task or attempt in one of these may still change; cancel applies to these only. */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ["queued", "preparing", "running"];

export const TASK_MODES = ["code", "ask", "review"] as const;
export type TaskMode = (typeof TASK_MODES)[number];

/** The forges Quire delivers to and takes webhooks from (docs/forges.md). */
export const FORGE_KINDS = ["github", "gitlab", "gitea"] as const;

/** "skipped": no checks were declared or named by AGENTS.md. */
export const VERIFICATION_STATUSES = ["verified", "checks_failed", "skipped"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** A member's role in a workspace, strongest first. */
export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  "tasks:read",
  "tasks:write",
  "repositories:read",
  "repositories:write",
  "environments:read",
  "environments:write",
  /** Members, tokens of others, the audit log, workspace settings; implies every other scope. */
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];

export const MIN_PASSWORD_LENGTH = 10;
/** scrypt's work grows with the input: a bound keeps one sign-in from costing much. */
export const MAX_PASSWORD_LENGTH = 1_024;

export const USAGE_GROUPS = ["task", "user", "workspace", "model"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** The limits a plan can set (docs/plans-and-limits.md). */
export const LIMIT_NAMES = [
  "tasks_per_5h",
  "tasks_per_week",
  "concurrent_tasks",
  "sandbox_minutes_per_week",
  "max_attempts",
  "models",
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** The keys of an environment's `[limits]` table. */
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

export const NETWORK_MODES = ["off", "allowlist", "on"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** The image kinds every provider takes; recognised by their first bytes, never by a name. */
export const IMAGE_MEDIA_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/** Bounds on the images of one message: each is checked, then their count. */
export const IMAGE_LIMITS = {
  /** Bytes of one image (Anthropic's own cap is 5 MB; OpenAI's is larger). */
  maxBytes: 4 * 1024 * 1024,
  /** Images in one prompt or follow-up. */
  maxCount: 4,
} as const;

/** What a workspace's webhook can be told about. */
export const WEBHOOK_EVENTS = ["task.finished", "task.failed", "task.delivered"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_FORMATS = ["json", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

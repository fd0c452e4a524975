/** The server's accounts, tokens, audit and usage shapes as the web app sees them (docs/accounts.md, docs/plans-and-limits.md). */

export type Role = "owner" | "admin" | "member" | "viewer";
export const ROLES: readonly Role[] = ["viewer", "member", "admin", "owner"];

export const SCOPES = [
  "tasks:read",
  "tasks:write",
  "repositories:read",
  "repositories:write",
  "environments:read",
  "environments:write",
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];

/** `GET /api/auth/methods`: single-user ("local") or multi-user, and how to sign in. */
export interface AuthMethods {
  mode: "local" | "multi";
  password: boolean;
  oidc: boolean;
}

export interface PublicUser {
  id: string;
  email: string | null;
  name: string | null;
  /** False for single sign-on users: no password to change here. */
  hasPassword?: boolean;
}

export interface WorkspaceWithRole {
  id: string;
  name: string;
  createdAt: string;
  role: Role;
}

/** `GET /api/auth/me`. */
export interface Me {
  mode: "local" | "multi";
  via: "local" | "session" | "token";
  user: PublicUser;
  workspace: WorkspaceWithRole | null;
  scopes: Scope[];
  workspaces: WorkspaceWithRole[];
  csrfToken: string | null;
}

/** What may be shown about a token: never its value (only in the response that created it). */
export interface ApiToken {
  id: string;
  userId: string;
  workspaceId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiToken {
  name: string;
  scopes: Scope[];
  expiresInDays?: number;
}

export interface Member {
  userId: string;
  email: string | null;
  name: string | null;
  role: Role;
  joinedAt: string;
}

export interface NewMember {
  email: string;
  role: Role;
  name?: string;
}

/** An open invitation (never its token, except in the answer that made it). */
export interface Invitation {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  name: string | null;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

/** `POST /api/workspaces/:id/members`: a member added, or (no proven account) an invitation made. */
export type AddedMember =
  { member: Member } | { invitation: Invitation; token: string; acceptPath: string; acceptUrl: string };

/** `POST /api/invitations/preview`. */
export interface InvitationPreview {
  invitation: { email: string; role: Role; expiresAt: string };
  workspace: { name: string };
  accountExists: boolean;
}

export interface AuditEntry {
  id: string;
  at: string;
  workspaceId: string | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The cursor of the next (older) page; null at the end. */
  next: string | null;
}

export type UsageGroup = "task" | "user" | "workspace" | "model";

export interface UsageTotals {
  attempts: number;
  tasks: number;
  modelCalls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  wallSeconds: number;
  cpuSeconds: number | null;
  /** Null when nothing in the group has a known price. */
  costUsd: number | null;
  unpricedAttempts: number;
}

export interface UsageRow extends UsageTotals {
  key: string;
}

export interface UsageReport {
  workspaceId: string;
  from: string;
  to: string;
  groupBy: UsageGroup;
  rows: UsageRow[];
  totals: UsageTotals;
}

export interface UsageQuery {
  from?: string;
  to?: string;
  groupBy: UsageGroup;
}

export type LimitName =
  "tasks_per_5h" | "tasks_per_week" | "concurrent_tasks" | "sandbox_minutes_per_week" | "max_attempts" | "models";

export interface LimitStatus {
  limit: LimitName;
  used: number;
  /** Null: unlimited. */
  max: number | null;
  /** When the meter next goes down; null when nothing is counted, or for concurrency. */
  resetAt: string | null;
  windowSeconds: number | null;
}

/** `GET /api/usage/limits`. */
export interface UsageLimits {
  workspaceId: string;
  /** Whether the server applies these limits (multi-user, or a plans.toml); else they are only what it would apply. */
  enforced: boolean;
  plan: { name: string; title: string };
  limits: LimitStatus[];
  entitlements: {
    maxAttempts: number;
    models: string[];
    maxTaskMinutes: number | null;
    maxTaskCostUsd: number | null;
  };
}

/** A task or follow-up the plan refused (HTTP 429, or 403 when waiting will not help). */
export interface Refusal {
  message: string;
  limit: LimitName | string;
  used: number | null;
  max: number | null;
  resetAt: string | null;
  /** From `Retry-After`; null on a 403 (waiting will not help). */
  retryAfterSeconds: number | null;
}

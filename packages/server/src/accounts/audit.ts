/**
 * Writing the audit log. Routes call `audit(c, action, target, details)` after they did something
 * worth recording; the actor and workspace come from the request's principal. Details say what was
 * done, never secret values: keys that name secrets are redacted, and so are token-like strings,
 * in case a caller passes one by mistake.
 */
import type { Context } from "hono";
import type { AuditEntry, NewAuditEntry, Repos } from "../storage/index.js";
import { TOKEN_PREFIX } from "./secrets.js";

const SECRET_KEYS = /^(password|newpassword|secret|value|token|cookie|authorization|session|sessionid|csrftoken)$/i;
export const REDACTED = "[redacted]";

export function sanitizeDetails(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, sanitize(key, value)]));
}

function sanitize(key: string, value: unknown): unknown {
  if (SECRET_KEYS.test(key.replace(/[_-]/g, ""))) return REDACTED;
  if (typeof value === "string") return value.includes(TOKEN_PREFIX) ? value.replace(/quire_[\w-]+/g, REDACTED) : value;
  if (Array.isArray(value)) return value.map((item) => sanitize("", item));
  if (value !== null && typeof value === "object") return sanitizeDetails(value as Record<string, unknown>);
  return value;
}

/** Appends an entry with its details sanitized; for code that has no request principal (sign-in). */
export function appendAudit(repos: Repos, entry: NewAuditEntry): Promise<AuditEntry> {
  return repos.audit.append({ ...entry, details: sanitizeDetails(entry.details ?? {}) });
}

/**
 * Records that the request's principal did `action` to `target` (e.g. `task.created`, `task:<id>`)
 * in its current workspace. Call it after the change succeeded; it fails when the request was
 * never authenticated, since an entry without an actor would be worth little.
 */
export async function audit(
  c: Context,
  action: string,
  target: string | null,
  details: Record<string, unknown> = {},
  options: { workspaceId?: string } = {},
): Promise<AuditEntry> {
  const accounts = c.get("accounts");
  const identity = c.get("identity");
  if (!accounts || !identity) throw new Error(`audit(${action}) outside an authenticated request`);
  const workspaceId = options.workspaceId ?? c.get("principal")?.workspaceId ?? null;
  return appendAudit(accounts.repos, {
    workspaceId,
    actorUserId: identity.userId,
    actorTokenId: identity.tokenId,
    action,
    target,
    details,
  });
}

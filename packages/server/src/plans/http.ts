/**
 * The HTTP side of plans: who the request is for, and a refusal as a response. The workspace and
 * user come from the `principal` an authentication middleware puts on the context; without one
 * (single-user mode) they are the local workspace and user. Swap `principalOf` to change that.
 */
import type { Context } from "hono";
import { HttpError } from "../errors.js";
import { LOCAL_USER_ID, LOCAL_WORKSPACE_ID } from "../storage/index.js";
import type { Refusal } from "./admission.js";

interface Principal {
  workspaceId?: string;
  userId?: string;
}

/**
 * The principal, or undefined when no authentication runs in front of the route (single-user
 * mode). An authenticated identity without a principal (a user in no workspace) is refused rather
 * than given the local workspace, which in multi-user mode would be somebody else's.
 */
function principalOf(c: Context): Principal | undefined {
  // Read untyped: the accounts middleware declares these keys, and this must work without it.
  const get = (key: string) => (c as unknown as { get(key: string): unknown }).get(key);
  const value = get("principal");
  if (typeof value === "object" && value !== null) return value as Principal;
  if (get("identity") !== undefined) throw new HttpError(403, "you are not a member of any workspace");
  return undefined;
}

export function currentWorkspaceId(c: Context): string {
  const id = principalOf(c)?.workspaceId;
  return typeof id === "string" && id !== "" ? id : LOCAL_WORKSPACE_ID;
}

export function currentUserId(c: Context): string {
  const id = principalOf(c)?.userId;
  return typeof id === "string" && id !== "" ? id : LOCAL_USER_ID;
}

/**
 * 429 with `Retry-After` when waiting will let the request in; 403 when it will not (the plan
 * does not include the model, or allows fewer attempts), so clients do not retry in vain.
 * Body: `{ error: { message, limit, used, max, resetAt } }`.
 */
export function refusalResponse(c: Context, refusal: Refusal): Response {
  const body = {
    error: {
      message: refusal.message,
      limit: refusal.limit,
      used: refusal.used,
      max: refusal.max,
      resetAt: refusal.resetAt,
    },
  };
  if (refusal.retryAfterSeconds === null) return c.json(body, 403);
  c.header("Retry-After", String(refusal.retryAfterSeconds));
  return c.json(body, 429);
}

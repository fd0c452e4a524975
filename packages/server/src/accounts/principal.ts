/**
 * Who a request acts as. The auth middleware (http/auth-middleware.ts) sets `identity` (the user
 * and the credential) and, when the user belongs to a workspace, `principal` (that user in the
 * request's current workspace, with a role and scopes). Routes read them through these helpers;
 * the request context's variables are declared beside the Accounts service (accounts.ts).
 */
import type { Context } from "hono";
import { HttpError } from "../errors.js";
import { roleAtLeast, type Role, type Scope } from "./roles.js";

export type AuthVia = "local" | "session" | "token";

/** The authenticated user and how they authenticated; no workspace yet. */
export interface Identity {
  userId: string;
  via: AuthVia;
  /** The API token used, for the audit log; null otherwise. */
  tokenId: string | null;
  /** Token only: the workspace it acts in and the scopes it was granted. */
  token?: { workspaceId: string; scopes: Scope[] };
  /** Session only: the value the `x-csrf-token` header must carry on unsafe methods. */
  csrfToken?: string;
}

export interface Principal {
  userId: string;
  /** The current workspace: the `x-quire-workspace` header, the token's, or the user's first. */
  workspaceId: string;
  role: Role;
  /** Effective scopes: granted (all for sessions and local mode) within what the role allows. */
  scopes: Scope[];
  via: AuthVia;
  tokenId: string | null;
}

/** The authenticated identity; 401 when there is none. */
export function identityOf(c: Context): Identity {
  const identity = c.get("identity");
  if (!identity) throw new HttpError(401, "sign in first (a session, or an Authorization: Bearer quire_… token)");
  return identity;
}

/** The request's principal; 401 when unauthenticated, 403 when the user is in no workspace. */
export function principalOf(c: Context): Principal {
  identityOf(c);
  const principal = c.get("principal");
  if (!principal) throw new HttpError(403, "you are not a member of any workspace: ask a workspace admin to add you");
  return principal;
}

/** The principal, if it has the scope; 403 otherwise. */
export function requireScope(c: Context, scope: Scope): Principal {
  return assertScope(principalOf(c), scope);
}

/** The principal, if its role in the current workspace is at least `minimum`; 403 otherwise. */
export function requireRole(c: Context, minimum: Role): Principal {
  return assertRole(principalOf(c), minimum);
}

/** requireScope for a principal at hand (e.g. in a workspace named by the path, not the header). */
export function assertScope(principal: Principal, scope: Scope): Principal {
  if (principal.scopes.includes(scope)) return principal;
  const why = principal.via === "token" ? "this API token" : `your role (${principal.role})`;
  throw new HttpError(403, `forbidden: this needs the ${scope} scope, which ${why} does not give`);
}

export function assertRole(principal: Principal, minimum: Role): Principal {
  if (roleAtLeast(principal.role, minimum)) return principal;
  throw new HttpError(403, `forbidden: this needs the ${minimum} role in the workspace; you are ${principal.role}`);
}

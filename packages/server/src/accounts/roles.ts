/**
 * Roles in a workspace and the scopes they allow. A request may do what both its credential's
 * scopes and its user's role allow: a token's scopes are cut down to its user's current role, so
 * demoting someone takes effect on their existing tokens at once.
 */
import { SCOPES, type Scope } from "@quire/protocol";
import { ROLES, type Role } from "../storage/index.js";

export { ROLES, type Role };
export { SCOPES, type Scope };

const READ_SCOPES: Scope[] = ["tasks:read", "repositories:read", "environments:read"];
const WRITE_SCOPES: Scope[] = ["tasks:write", "repositories:write", "environments:write"];

const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: READ_SCOPES,
  member: [...READ_SCOPES, ...WRITE_SCOPES],
  admin: SCOPES,
  owner: SCOPES,
};

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && (SCOPES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export function scopesForRole(role: Role): Scope[] {
  return [...ROLE_SCOPES[role]];
}

/** What granting these scopes means: `admin` gives all, `x:write` gives `x:read` too. */
export function expandScopes(scopes: readonly Scope[]): Scope[] {
  if (scopes.includes("admin")) return [...SCOPES];
  const expanded = new Set<Scope>(scopes);
  for (const scope of scopes) {
    if (scope.endsWith(":write")) expanded.add(scope.replace(/:write$/, ":read") as Scope);
  }
  return SCOPES.filter((scope) => expanded.has(scope));
}

/** The scopes a credential actually has: what it was granted, within what its user's role allows. */
export function effectiveScopes(granted: readonly Scope[], role: Role): Scope[] {
  const allowed = new Set(ROLE_SCOPES[role]);
  return expandScopes(granted).filter((scope) => allowed.has(scope));
}

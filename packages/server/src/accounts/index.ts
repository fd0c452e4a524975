/** Accounts: modes, users, workspaces and roles, sign-in, API tokens, sessions, the audit log. */
export { Accounts, type AccountsOptions } from "./accounts.js";
export { appendAudit, audit, sanitizeDetails } from "./audit.js";
export {
  assertSafeBind,
  isLoopbackHost,
  resolveAuthOptions,
  type AuthMode,
  type AuthOptions,
  type OidcOptions,
} from "./auth-options.js";
export { hashPassword, verifyPassword } from "./passwords.js";
export {
  assertRole,
  assertScope,
  identityOf,
  principalOf,
  requireRole,
  requireScope,
  type AuthVia,
  type Identity,
  type Principal,
} from "./principal.js";
export { effectiveScopes, expandScopes, isRole, roleAtLeast, ROLES, SCOPES, type Role, type Scope } from "./roles.js";

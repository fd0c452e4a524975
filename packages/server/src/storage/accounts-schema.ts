/**
 * The accounts tables (migration 0003) as Kysely sees them: users, workspaces and their members,
 * single sign-on identities, sessions, API tokens and the audit log. Kept apart from schema.ts so
 * the accounts part can grow without touching the tables of tasks. Same portable column types.
 */
import { ROLES, type Role } from "@quire/protocol";

/** Highest first; a role can do everything the roles after it can (the list is the API's). */
export { ROLES, type Role };

/** The workspace every record belongs to until it is given another: single-user mode's only one. */
export const LOCAL_WORKSPACE_ID = "local";
/** Single-user mode's implicit owner; it has no password and no identity, so nobody can sign in as it. */
export const LOCAL_USER_ID = "local";

export interface UsersTable {
  id: string;
  /** Lower-cased; null for a user known only by a single sign-on identity without an email. */
  email: string | null;
  name: string | null;
  /** `scrypt$N$r$p$salt$hash` (see accounts/passwords.ts); null: no password sign-in. */
  password_hash: string | null;
  created_at: string;
  /**
   * 1 when the email is known to be this user's: a single sign-on provider verified it, or the
   * server's admin created the account. 0 for an account made by whoever held an invitation link
   * (migration 0007): other workspaces invite such a user instead of adding them outright.
   */
  email_verified: number;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: string;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: string;
}

/** A user as known to an OpenID provider: the pair (issuer, subject) is stable, an email is not. */
export interface IdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: string;
}

export interface SessionsTable {
  /** sha256 of the cookie's value: a copy of the database does not give working sessions. */
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  /** A token acts in one workspace. */
  workspace_id: string;
  name: string;
  /** sha256 of the token's value, which is shown once and never stored. */
  token_hash: string;
  /** The first characters of the value, so people can tell their tokens apart. */
  prefix: string;
  /** JSON text: the scopes granted, e.g. ["tasks:read"]. */
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Append-only (triggers refuse UPDATE and DELETE on both databases). */
export interface AuditLogTable {
  id: string;
  at: string;
  /** Null for events tied to no workspace (a failed sign-in with an unknown email). */
  workspace_id: string | null;
  actor_user_id: string | null;
  actor_token_id: string | null;
  action: string;
  target: string | null;
  /** JSON text: an object with what was done, never secret values. */
  details: string;
}

/** An invitation to a workspace; its token is shown once to the inviter and kept as its sha256. */
export interface InvitationsTable {
  id: string;
  workspace_id: string;
  /** Lower-cased. */
  email: string;
  role: Role;
  name: string | null;
  token_hash: string;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

export interface AccountsDatabase {
  users: UsersTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  identities: IdentitiesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  invitations: InvitationsTable;
}

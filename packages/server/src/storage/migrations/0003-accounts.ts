/**
 * Accounts: users, workspaces with roles, single sign-on identities, sessions, API tokens and an
 * append-only audit log; repositories, environments and tasks get the workspace they belong to.
 * The local workspace and its implicit owner are created here, so single-user mode has them from
 * the first start and rows written before this migration belong to them.
 */
import { PostgresAdapter, sql, type Kysely } from "kysely";

const LOCAL = "local";
const SCOPED_TABLES = ["repositories", "environments", "tasks"] as const;
const APPEND_ONLY = "the audit log is append-only";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.unique())
    .addColumn("name", "text")
    .addColumn("password_hash", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("workspaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("memberships")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner', 'admin', 'member', 'viewer')`))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("memberships_pk", ["workspace_id", "user_id"])
    .execute();
  await db.schema.createIndex("memberships_user").on("memberships").columns(["user_id", "created_at"]).execute();

  await db.schema
    .createTable("identities")
    .addColumn("issuer", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("identities_pk", ["issuer", "subject"])
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_expiry").on("sessions").columns(["expires_at"]).execute();

  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema
    .createIndex("api_tokens_workspace")
    .on("api_tokens")
    .columns(["workspace_id", "created_at"])
    .execute();

  // No foreign keys: entries must outlive the users, tokens and workspaces they name.
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text")
    .addColumn("actor_user_id", "text")
    .addColumn("actor_token_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text")
    .addColumn("details", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_workspace").on("audit_log").columns(["workspace_id", "at"]).execute();
  await refuseAuditChanges(db);

  const at = new Date().toISOString();
  await sql`insert into workspaces (id, name, created_at) values (${LOCAL}, ${"Default"}, ${at})`.execute(db);
  await sql`insert into users (id, email, name, password_hash, created_at) values (${LOCAL}, null, ${"Local owner"}, null, ${at})`.execute(
    db,
  );
  await sql`insert into memberships (workspace_id, user_id, role, created_at) values (${LOCAL}, ${LOCAL}, ${"owner"}, ${at})`.execute(
    db,
  );

  // Nullable, no foreign key: SQLite cannot add a referencing column with a non-null default.
  // Existing rows take the default, so everything created before accounts is the local workspace's.
  for (const table of SCOPED_TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn("workspace_id", "text", (c) => c.defaultTo(LOCAL))
      .execute();
    await db.schema.createIndex(`${table}_workspace`).on(table).columns(["workspace_id"]).execute();
  }
}

/** Triggers on both databases, so not even a bug in Quire (or a careless UPDATE) rewrites history. */
async function refuseAuditChanges(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql
      .raw(
        `create function audit_log_append_only() returns trigger language plpgsql as ` +
          `$$ begin raise exception '${APPEND_ONLY}'; end $$`,
      )
      .execute(db);
    await sql`create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(
      db,
    );
    // TRUNCATE skips row triggers; refuse it too.
    await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`.execute(
      db,
    );
    return;
  }
  for (const event of ["update", "delete"]) {
    await sql
      .raw(
        `create trigger audit_log_no_${event} before ${event} on audit_log ` +
          `begin select raise(abort, '${APPEND_ONLY}'); end`,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of SCOPED_TABLES) {
    // SQLite refuses to drop an indexed column; drop the index first.
    await db.schema.dropIndex(`${table}_workspace`).execute();
    await db.schema.alterTable(table).dropColumn("workspace_id").execute();
  }
  for (const table of ["audit_log", "api_tokens", "sessions", "identities", "memberships", "workspaces", "users"]) {
    await db.schema.dropTable(table).execute();
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop function if exists audit_log_append_only()`.execute(db);
  }
}

/**
 * The first schema. Only column types that mean the same on SQLite and PostgreSQL are used
 * (text, integer); see schema.ts for why timestamps, JSON and booleans are text and integers.
 * Migrations are frozen once released: change the schema with a new migration.
 */
import { sql, type Kysely } from "kysely";

// Migrations take Kysely<unknown> on purpose: they must not depend on today's Database type.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("repositories")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("default_branch", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("environments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("repository_id", "text", (c) => c.notNull().references("repositories.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("environments_repository_name", ["repository_id", "name"])
    .execute();

  await db.schema
    .createTable("environment_secrets")
    .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("environment_secrets_pk", ["environment_id", "name"])
    .execute();

  await db.schema
    .createTable("tasks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("repository_id", "text", (c) => c.notNull().references("repositories.id"))
    .addColumn("ref", "text", (c) => c.notNull())
    .addColumn("base_commit", "text")
    .addColumn("mode", "text", (c) => c.notNull().check(sql`mode in ('code', 'ask')`))
    .addColumn("prompt", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts_requested", "integer", (c) => c.notNull().check(sql`attempts_requested between 1 and 4`))
    .addColumn("environment_id", "text", (c) => c.references("environments.id").onDelete("set null"))
    .addColumn("model", "text")
    .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("final_message", "text")
    .addColumn("reason", "text")
    .addColumn("cancel_requested_at", "text")
    .addColumn("last_event_seq", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("tasks_status").on("tasks").columns(["status", "created_at"]).execute();
  await db.schema.createIndex("tasks_repository").on("tasks").columns(["repository_id", "created_at"]).execute();

  await db.schema
    .createTable("attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("task_id", "text", (c) => c.notNull().references("tasks.id").onDelete("cascade"))
    .addColumn("number", "integer", (c) => c.notNull().check(sql`number between 1 and 4`))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("worker_id", "text")
    .addColumn("lease_expires_at", "text")
    .addColumn("diff", "text")
    .addColumn("diff_stats", "text")
    .addColumn("final_message", "text")
    .addColumn("reason", "text")
    .addColumn("verification", "text", (c) => c.check(sql`verification in ('verified', 'checks_failed')`))
    .addColumn("verification_log", "text")
    .addColumn("usage", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .addUniqueConstraint("attempts_task_number", ["task_id", "number"])
    .execute();
  // The queue's two scans: the oldest queued attempt, and leases that ran out.
  await db.schema.createIndex("attempts_status").on("attempts").columns(["status", "created_at"]).execute();
  await db.schema.createIndex("attempts_lease").on("attempts").columns(["lease_expires_at"]).execute();

  await db.schema
    .createTable("messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("task_id", "text", (c) => c.notNull().references("tasks.id").onDelete("cascade"))
    .addColumn("attempt_id", "text", (c) => c.references("attempts.id").onDelete("cascade"))
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("messages_task").on("messages").columns(["task_id", "created_at"]).execute();

  await db.schema
    .createTable("events")
    .addColumn("task_id", "text", (c) => c.notNull().references("tasks.id").onDelete("cascade"))
    .addColumn("attempt_id", "text", (c) => c.references("attempts.id").onDelete("cascade"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("events_pk", ["task_id", "seq"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["events", "messages", "attempts", "tasks", "environment_secrets", "environments"]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropTable("repositories").execute();
}

/**
 * Plans, rate limits and metering: which plan each workspace is on, a ledger of admitted tasks
 * and follow-ups (the rolling windows and the concurrency cap are counted from it), one counter
 * row per workspace that admissions lock so that they run one at a time, and the usage of every
 * attempt (tokens, sandbox time, cost). Workspaces are named by id without a foreign key: the
 * local, single-user server uses the id "local", which no accounts table holds.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("workspace_plans")
    .addColumn("workspace_id", "text", (c) => c.primaryKey())
    .addColumn("plan", "text", (c) => c.notNull())
    // JSON text: entitlements that differ from the plan's, keys as in plans.toml.
    .addColumn("overrides", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("usage_counters")
    .addColumn("workspace_id", "text", (c) => c.primaryKey())
    .addColumn("admissions", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("usage_admissions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('task', 'follow_up')`))
    .addColumn("plan", "text", (c) => c.notNull())
    // What the admission counts in the windows: the attempts it starts or continues.
    .addColumn("units", "integer", (c) => c.notNull().check(sql`units >= 1`))
    .addColumn("model", "text")
    // No foreign key: the task is created after it was admitted, and is linked then.
    .addColumn("task_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("released_at", "text")
    .execute();
  await db.schema
    .createIndex("usage_admissions_window")
    .on("usage_admissions")
    .columns(["workspace_id", "created_at"])
    .execute();
  await db.schema.createIndex("usage_admissions_task").on("usage_admissions").column("task_id").execute();

  await db.schema
    .createTable("usage_records")
    .addColumn("attempt_id", "text", (c) => c.primaryKey())
    .addColumn("task_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("input_tokens", "integer", (c) => c.notNull())
    .addColumn("cached_input_tokens", "integer", (c) => c.notNull())
    .addColumn("output_tokens", "integer", (c) => c.notNull())
    .addColumn("reasoning_output_tokens", "integer", (c) => c.notNull())
    .addColumn("model_calls", "integer", (c) => c.notNull())
    // "double precision" is a double on PostgreSQL and has REAL affinity (a double) on SQLite.
    .addColumn("wall_seconds", "double precision", (c) => c.notNull())
    .addColumn("cpu_seconds", "double precision")
    // Priced when recorded, so a later price change does not rewrite what was already spent;
    // null when no price matched the model.
    .addColumn("cost_usd", "double precision")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("usage_records_window")
    .on("usage_records")
    .columns(["workspace_id", "created_at"])
    .execute();
  await db.schema.createIndex("usage_records_task").on("usage_records").column("task_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("usage_records").execute();
  await db.schema.dropTable("usage_admissions").execute();
  await db.schema.dropTable("usage_counters").execute();
  await db.schema.dropTable("workspace_plans").execute();
}

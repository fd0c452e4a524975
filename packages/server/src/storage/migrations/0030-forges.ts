/**
 * Forges in (issue 14):
 * - a repository's link to its forge project (`forge_kind`, `forge_repo`) and whether new pull
 *   requests there are reviewed on their own (`auto_review`);
 * - `forge_deliveries`: each webhook delivery id seen, so a replay does nothing;
 * - `forge_triggers`: what a comment asked for, so the task's end is answered where it was asked.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("repositories").addColumn("forge_kind", "text").execute();
  await db.schema.alterTable("repositories").addColumn("forge_repo", "text").execute();
  await db.schema
    .alterTable("repositories")
    .addColumn("auto_review", "integer", (c) => c.notNull().defaultTo(sql`0`))
    .execute();
  await db.schema
    .createTable("forge_deliveries")
    .addColumn("forge", "text", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("forge_deliveries_pk", ["forge", "delivery_id"])
    .execute();
  await db.schema.createIndex("forge_deliveries_received").on("forge_deliveries").column("received_at").execute();
  await db.schema
    .createTable("forge_triggers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("task_id", "text", (c) => c.notNull().references("tasks.id").onDelete("cascade"))
    .addColumn("forge", "text", (c) => c.notNull())
    .addColumn("forge_repo", "text", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("on_pull_request", "integer", (c) => c.notNull())
    .addColumn("command", "text", (c) => c.notNull())
    .addColumn("login", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("answered_at", "text")
    .execute();
  await db.schema.createIndex("forge_triggers_task").on("forge_triggers").columns(["task_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("forge_triggers").execute();
  await db.schema.dropTable("forge_deliveries").execute();
  await db.schema.alterTable("repositories").dropColumn("auto_review").execute();
  await db.schema.alterTable("repositories").dropColumn("forge_repo").execute();
  await db.schema.alterTable("repositories").dropColumn("forge_kind").execute();
}

/**
 * Webhook deliveries kept in the database (issue 15, item 4): each notice a webhook is owed is a
 * row — the exact body (so every try is the same bytes and delivery id), how many tries were made,
 * when the next one is due and the last answer — so a process that stops between tries leaves the
 * rest to the next one that starts. A process takes a try by claiming the row until a time
 * (`claimed_by`, `claimed_until`); a claim that outlives its process runs out and the row is taken
 * again. Removing a webhook removes what it was still owed.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("task_id", "text")
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "text")
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", "text")
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due")
    .on("webhook_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema.createIndex("webhook_deliveries_webhook").on("webhook_deliveries").column("webhook_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webhook_deliveries").execute();
}

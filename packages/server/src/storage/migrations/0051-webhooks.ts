/**
 * Outbound webhooks of a workspace (issue 15, item 4): where to post when a task finishes, fails
 * or is delivered. The URL (a Slack URL is itself a credential) and the signing secret are
 * encrypted like environment secrets; the last delivery's outcome is kept on the row.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("webhooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("url_hint", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("format", "text", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_status", "text")
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "text")
    .addColumn("last_event", "text")
    .addColumn("last_attempts", "integer")
    .addColumn("last_at", "text")
    .execute();
  await db.schema.createIndex("webhooks_workspace").on("webhooks").column("workspace_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webhooks").execute();
}

/**
 * Follow-ups are delivered to the attempt they continue one at a time, so each message records
 * when a worker took it; a task remembers where it was delivered (branch, pull request).
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("delivered_at", "text").execute();
  await db.schema.alterTable("tasks").addColumn("delivery", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").dropColumn("delivered_at").execute();
  await db.schema.alterTable("tasks").dropColumn("delivery").execute();
}

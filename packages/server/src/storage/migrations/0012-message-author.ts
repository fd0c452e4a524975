/**
 * Who sent a follow-up (a user id; null for messages sent before this, or by nobody in
 * particular): a round's `user_message` event names its author on a multi-user server.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("author_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").dropColumn("author_id").execute();
}

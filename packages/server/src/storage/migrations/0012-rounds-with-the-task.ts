/**
 * A task's rounds live with the task: the attempt's conversation (JSON text, saved after each
 * round beside its diff) so a follow-up can continue where no workspace or local record is left;
 * and who sent each follow-up (a user id; null for older messages), named by its `user_message`.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("author_id", "text").execute();
  await db.schema.alterTable("attempts").addColumn("conversation", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("attempts").dropColumn("conversation").execute();
  await db.schema.alterTable("messages").dropColumn("author_id").execute();
}

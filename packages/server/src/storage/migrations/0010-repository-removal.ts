/**
 * A removed repository keeps its row, marked with when it was removed: its tasks refer to it and
 * stay readable, while lists, lookups and new work no longer see it.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("repositories").addColumn("removed_at", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("repositories").dropColumn("removed_at").execute();
}

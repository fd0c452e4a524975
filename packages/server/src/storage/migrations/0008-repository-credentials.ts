/**
 * Credentials given in a repository's URL (`https://user:token@host/…`) are kept apart from the
 * URL, encrypted like environment secrets, so the stored, shown and audited URL has none.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("repositories").addColumn("source_credentials", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("repositories").dropColumn("source_credentials").execute();
}

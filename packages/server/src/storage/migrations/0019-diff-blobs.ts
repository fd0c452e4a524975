/**
 * A diff past the inline cap is kept in the blob store: the row keeps its head (with a marker)
 * in `diff`, the blob's reference and the whole diff's size.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("attempts").addColumn("diff_blob", "text").execute();
  await db.schema.alterTable("attempts").addColumn("diff_bytes", "bigint").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("attempts").dropColumn("diff_bytes").execute();
  await db.schema.alterTable("attempts").dropColumn("diff_blob").execute();
}

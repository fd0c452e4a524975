/**
 * Blobs (a diff past the inline cap, a command's whole output) move from files in one process's
 * home into the database, so every worker and the server read what any of them wrote:
 * - `blobs`: one row per content (its sha256), with its size;
 * - `blob_chunks`: its bytes in pieces, so neither side ever holds a blob whole.
 * Bytes are `bytea` on PostgreSQL and `blob` on SQLite: the same Buffer on both sides.
 */
import { type Kysely, PostgresAdapter } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? "bytea" : "blob";
  await db.schema
    .createTable("blobs")
    .addColumn("ref", "text", (c) => c.primaryKey())
    .addColumn("bytes", "bigint", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("blob_chunks")
    .addColumn("ref", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("data", bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint("blob_chunks_pk", ["ref", "seq"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("blob_chunks").execute();
  await db.schema.dropTable("blobs").execute();
}

/**
 * Large task artefacts live in the blob store (files under Quire's home), rows keep references:
 * - a diff past the inline cap: `diff` keeps its head (with a marker), `diff_blob` the blob,
 *   `diff_bytes` the whole diff's size;
 * - a command whose event copy was cut: its whole output, one row per command item.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("attempts").addColumn("diff_blob", "text").execute();
  await db.schema.alterTable("attempts").addColumn("diff_bytes", "bigint").execute();
  await db.schema
    .createTable("command_outputs")
    .addColumn("task_id", "text", (c) => c.notNull().references("tasks.id").onDelete("cascade"))
    .addColumn("attempt_id", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("blob", "text", (c) => c.notNull())
    .addColumn("bytes", "bigint", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("command_outputs_pk", ["attempt_id", "item_id"])
    .execute();
  await db.schema.createIndex("command_outputs_task").on("command_outputs").columns(["task_id", "item_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("command_outputs").execute();
  await db.schema.alterTable("attempts").dropColumn("diff_bytes").execute();
  await db.schema.alterTable("attempts").dropColumn("diff_blob").execute();
}

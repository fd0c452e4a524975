/**
 * Images sent with a task's prompt or a follow-up (issue 15, item 3), kept with the task in the
 * database so any worker can give them to the model and the timeline can show them. Each is
 * bounded when it arrives (PNG, JPEG, WebP or GIF by its bytes, a few MiB, a few per message).
 * `message_id` is null for the task's first prompt. Metering counts them: `usage_records.images`
 * is how many images an attempt was given.
 */
import { type Kysely, PostgresAdapter } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? "bytea" : "blob";
  await db.schema
    .createTable("task_images")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("task_id", "text", (c) => c.notNull())
    .addColumn("message_id", "text")
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("media_type", "text", (c) => c.notNull())
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("data", bytes, (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("task_images_task").on("task_images").columns(["task_id", "message_id"]).execute();
  await db.schema
    .alterTable("usage_records")
    .addColumn("images", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("usage_records").dropColumn("images").execute();
  await db.schema.dropTable("task_images").execute();
}

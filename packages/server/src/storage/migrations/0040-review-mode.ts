/**
 * Review mode: a task's mode may be "review"; the task keeps what it reviews (two commits, or
 * another task's attempt) as JSON text in `review_target`; an attempt keeps the findings it ended
 * with as JSON text in `review` (core's ReviewResult).
 */
import { sql, type Kysely } from "kysely";
import { changeCheck } from "./check-constraint.js";

const OLD_CHECK = "mode in ('code', 'ask')";
const NEW_CHECK = "mode in ('code', 'ask', 'review')";
const change = { table: "tasks", column: "mode", name: "tasks_mode_check" };

export async function up(db: Kysely<unknown>): Promise<void> {
  await changeCheck(db, { ...change, from: OLD_CHECK, to: NEW_CHECK });
  await db.schema.alterTable("tasks").addColumn("review_target", "text").execute();
  await db.schema.alterTable("attempts").addColumn("review", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("attempts").dropColumn("review").execute();
  await db.schema.alterTable("tasks").dropColumn("review_target").execute();
  // The old constraint cannot hold a review task: they go, with their attempts and events.
  await sql`delete from tasks where mode = 'review'`.execute(db);
  await changeCheck(db, { ...change, from: NEW_CHECK, to: OLD_CHECK });
}

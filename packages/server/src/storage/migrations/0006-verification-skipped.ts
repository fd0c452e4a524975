/**
 * An attempt's verification may be "skipped" (the repository names no checks): the first
 * migration's CHECK allowed only "verified" and "checks_failed", so every code task in a
 * repository without checks failed when its outcome was stored, and its diff was lost.
 * How a CHECK is changed on each database: check-constraint.ts.
 */
import { sql, type Kysely } from "kysely";
import { changeCheck } from "./check-constraint.js";

const OLD_CHECK = "verification in ('verified', 'checks_failed')";
const NEW_CHECK = "verification in ('verified', 'checks_failed', 'skipped')";
const change = { table: "attempts", column: "verification", name: "attempts_verification_check" };

export async function up(db: Kysely<unknown>): Promise<void> {
  await changeCheck(db, { ...change, from: OLD_CHECK, to: NEW_CHECK });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The old constraint cannot hold "skipped"; no verification recorded is the nearest it can say.
  await sql`update attempts set verification = null where verification = 'skipped'`.execute(db);
  await changeCheck(db, { ...change, from: NEW_CHECK, to: OLD_CHECK });
}

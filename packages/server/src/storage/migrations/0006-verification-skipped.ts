/**
 * An attempt's verification may be "skipped" (the repository names no checks): the first
 * migration's CHECK allowed only "verified" and "checks_failed", so every code task in a
 * repository without checks failed when its outcome was stored, and its diff was lost.
 *
 * PostgreSQL changes a CHECK in place. SQLite cannot: the table is rebuilt the way SQLite's
 * documentation prescribes (ALTER TABLE, "making other kinds of table schema changes"): foreign
 * key enforcement off, so dropping the old table neither cascades into messages and events nor
 * trips their references; the new table made from the old one's own CREATE statement with only
 * the CHECK changed, so every column, default, reference and constraint stays as it was; rows
 * copied; indexes recreated; foreign keys checked before the commit; enforcement back on.
 */
import { PostgresAdapter, sql, type Kysely } from "kysely";

const TABLE = "attempts";
const OLD_CHECK = "verification in ('verified', 'checks_failed')";
const NEW_CHECK = "verification in ('verified', 'checks_failed', 'skipped')";

export async function up(db: Kysely<unknown>): Promise<void> {
  await changeVerificationCheck(db, OLD_CHECK, NEW_CHECK);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The old constraint cannot hold "skipped"; no verification recorded is the nearest it can say.
  await sql`update attempts set verification = null where verification = 'skipped'`.execute(db);
  await changeVerificationCheck(db, NEW_CHECK, OLD_CHECK);
}

async function changeVerificationCheck(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await changePostgresCheck(db, to);
    return;
  }
  await rebuildSqliteTable(db, from, to);
}

async function changePostgresCheck(db: Kysely<unknown>, to: string): Promise<void> {
  // Named by PostgreSQL when the first migration created it; looked up rather than assumed.
  const { rows } = await sql<{ name: string }>`
    select conname as name from pg_constraint
    where conrelid = to_regclass(${TABLE}) and contype = 'c' and pg_get_constraintdef(oid) like '%verification%'
  `.execute(db);
  for (const { name } of rows) {
    await sql`alter table ${sql.table(TABLE)} drop constraint ${sql.id(name)}`.execute(db);
  }
  await sql`alter table ${sql.table(TABLE)} add constraint attempts_verification_check check (${sql.raw(to)})`.execute(
    db,
  );
}

async function rebuildSqliteTable(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  const table = await sql<{ sql: string }>`
    select sql from sqlite_master where type = 'table' and name = ${TABLE}
  `.execute(db);
  const createOld = table.rows[0]?.sql;
  if (createOld === undefined) throw new Error(`table ${TABLE} not found`);
  if (!createOld.includes(from)) throw new Error(`table ${TABLE} has no check "${from}" to change`);
  const createNew = createOld
    .replace(from, to)
    .replace(/^create table "?attempts"?/i, `create table "${TABLE}_rebuilt"`);
  if (!createNew.includes(`"${TABLE}_rebuilt"`)) throw new Error(`unexpected CREATE statement for ${TABLE}`);
  const indexes = await sql<{ sql: string }>`
    select sql from sqlite_master where type = 'index' and tbl_name = ${TABLE} and sql is not null
  `.execute(db);

  // A no-op inside a transaction, so it is switched before BEGIN and back after COMMIT.
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      await sql.raw(createNew).execute(db);
      await sql`insert into ${sql.table(`${TABLE}_rebuilt`)} select * from ${sql.table(TABLE)}`.execute(db);
      await sql`drop table ${sql.table(TABLE)}`.execute(db);
      await sql`alter table ${sql.table(`${TABLE}_rebuilt`)} rename to ${sql.table(TABLE)}`.execute(db);
      for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error(`foreign keys broken by rebuilding ${TABLE}`);
      await sql`commit`.execute(db);
    } catch (error) {
      await sql`rollback`.execute(db);
      throw error;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/**
 * Changing a column's CHECK constraint, the same way on both databases.
 *
 * PostgreSQL changes a CHECK in place. SQLite cannot: the table is rebuilt the way SQLite's
 * documentation prescribes (ALTER TABLE, "making other kinds of table schema changes"): foreign
 * key enforcement off, so dropping the old table neither cascades into the tables that reference
 * it nor trips their references; the new table made from the old one's own CREATE statement with
 * only the CHECK changed, so every column, default, reference and constraint stays as it was; rows
 * copied; indexes recreated; foreign keys checked before the commit; enforcement back on.
 */
import { PostgresAdapter, sql, type Kysely } from "kysely";

export interface CheckChange {
  table: string;
  /** The column the CHECK is about: PostgreSQL's constraint is found by it. */
  column: string;
  /** The constraint's name when PostgreSQL adds it back. */
  name: string;
  /** The CHECK's text as the CREATE statement holds it (SQLite), and the new one. */
  from: string;
  to: string;
}

export async function changeCheck(db: Kysely<unknown>, change: CheckChange): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await changePostgresCheck(db, change);
    return;
  }
  await rebuildSqliteTable(db, change);
}

async function changePostgresCheck(db: Kysely<unknown>, change: CheckChange): Promise<void> {
  // Named by PostgreSQL when the table was created; looked up rather than assumed.
  const { rows } = await sql<{ name: string; definition: string }>`
    select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
    where conrelid = to_regclass(${change.table}) and contype = 'c'
  `.execute(db);
  const mentions = new RegExp(`\\(${change.column}\\b`);
  for (const { name } of rows.filter((row) => mentions.test(row.definition))) {
    await sql`alter table ${sql.table(change.table)} drop constraint ${sql.id(name)}`.execute(db);
  }
  await sql`alter table ${sql.table(change.table)} add constraint ${sql.id(change.name)} check (${sql.raw(change.to)})`.execute(
    db,
  );
}

async function rebuildSqliteTable(db: Kysely<unknown>, change: CheckChange): Promise<void> {
  const { table, from, to } = change;
  const rebuilt = `${table}_rebuilt`;
  const found = await sql<{ sql: string }>`
    select sql from sqlite_master where type = 'table' and name = ${table}
  `.execute(db);
  const createOld = found.rows[0]?.sql;
  if (createOld === undefined) throw new Error(`table ${table} not found`);
  if (!createOld.includes(from)) throw new Error(`table ${table} has no check "${from}" to change`);
  const createNew = createOld
    .replace(from, to)
    .replace(new RegExp(`^create table "?${table}"?`, "i"), `create table "${rebuilt}"`);
  if (!createNew.includes(`"${rebuilt}"`)) throw new Error(`unexpected CREATE statement for ${table}`);
  const indexes = await sql<{ sql: string }>`
    select sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null
  `.execute(db);

  // A no-op inside a transaction, so it is switched before BEGIN and back after COMMIT.
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      await sql.raw(createNew).execute(db);
      await sql`insert into ${sql.table(rebuilt)} select * from ${sql.table(table)}`.execute(db);
      await sql`drop table ${sql.table(table)}`.execute(db);
      await sql`alter table ${sql.table(rebuilt)} rename to ${sql.table(table)}`.execute(db);
      for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error(`foreign keys broken by rebuilding ${table}`);
      await sql`commit`.execute(db);
    } catch (error) {
      await sql`rollback`.execute(db);
      throw error;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

import { sql, type Kysely } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest, migratorFor } from "../migrate.js";
import type { Database } from "../schema.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../../testing/databases.js";

const at = "2026-01-01T00:00:00.000Z";

/** A task with one finished attempt, and a message and an event that reference the attempt. */
async function seedBeforeMigration(db: Kysely<Database>): Promise<void> {
  await sql`insert into repositories (id, name, source, default_branch, created_at) values ('r1', 'r', '/src', 'main', ${at})`.execute(
    db,
  );
  await sql`insert into tasks (id, repository_id, ref, mode, prompt, status, attempts_requested, created_at, updated_at)
    values ('t1', 'r1', 'main', 'code', 'p', 'completed', 1, ${at}, ${at})`.execute(db);
  await sql`insert into attempts (id, task_id, number, status, diff, verification, verification_log, created_at, updated_at)
    values ('a1', 't1', 1, 'completed', 'the diff', 'verified', 'ok', ${at}, ${at})`.execute(db);
  await sql`insert into messages (id, task_id, attempt_id, text, created_at) values ('m1', 't1', 'a1', 'hi', ${at})`.execute(
    db,
  );
  await sql`insert into events (task_id, attempt_id, seq, type, data, created_at) values ('t1', 'a1', 1, 'x', '{}', ${at})`.execute(
    db,
  );
}

async function count(db: Kysely<Database>, table: string): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(result.rows[0]?.n);
}

describe.each(TEST_DIALECTS)("0006-verification-skipped on %s", (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  it("lets an attempt record a skipped verification, keeping rows, references and indexes", async () => {
    database = await openTestDatabase(dialect, { migrate: false });
    const { db } = database;
    const migrator = await migratorFor(db);
    expect((await migrator.migrateTo("0005-task-creator")).error).toBeUndefined();
    await seedBeforeMigration(db);
    const before = db.updateTable("attempts").set({ verification: "skipped" }).where("id", "=", "a1").execute();
    await expect(before).rejects.toThrow(/check/i);

    await migrateToLatest(db);

    // Nothing was lost: the attempt and what references it.
    const attempt = await db.selectFrom("attempts").selectAll().where("id", "=", "a1").executeTakeFirstOrThrow();
    expect(attempt).toMatchObject({
      task_id: "t1",
      diff: "the diff",
      verification: "verified",
      verification_log: "ok",
    });
    expect([await count(db, "messages"), await count(db, "events")]).toEqual([1, 1]);

    await db.updateTable("attempts").set({ verification: "skipped" }).where("id", "=", "a1").execute();
    const junk = db
      .updateTable("attempts")
      .set({ verification: "maybe" as "skipped" })
      .where("id", "=", "a1")
      .execute();
    await expect(junk).rejects.toThrow(/check/i);

    // The unique (task, number) pair, the foreign key to tasks and the queue's indexes are still there.
    const duplicate = sql`insert into attempts (id, task_id, number, status, created_at, updated_at)
      values ('a2', 't1', 1, 'queued', ${at}, ${at})`.execute(db);
    await expect(duplicate).rejects.toThrow(/unique|duplicate/i);
    const orphan = sql`insert into attempts (id, task_id, number, status, created_at, updated_at)
      values ('a3', 'missing', 1, 'queued', ${at}, ${at})`.execute(db);
    await expect(orphan).rejects.toThrow(/foreign key/i);
    const indexes = await indexNames(db, dialect);
    expect(indexes).toEqual(expect.arrayContaining(["attempts_status", "attempts_lease"]));

    // References into the rebuilt table still cascade.
    await db.deleteFrom("attempts").where("id", "=", "a1").execute();
    expect([await count(db, "messages"), await count(db, "events")]).toEqual([0, 0]);
  });

  it("migrates down again, clearing skipped verifications the old constraint cannot hold", async () => {
    database = await openTestDatabase(dialect);
    const { db } = database;
    await seedBeforeMigration(db);
    await db.updateTable("attempts").set({ verification: "skipped" }).where("id", "=", "a1").execute();
    const migrator = await migratorFor(db);
    expect((await migrator.migrateTo("0005-task-creator")).error).toBeUndefined();
    const attempt = await db.selectFrom("attempts").selectAll().where("id", "=", "a1").executeTakeFirstOrThrow();
    expect(attempt).toMatchObject({ verification: null, diff: "the diff" });
    expect(await count(db, "events")).toBe(1);
  });
});

async function indexNames(db: Kysely<Database>, dialect: string): Promise<string[]> {
  if (dialect === "postgres") {
    const result = await sql<{ name: string }>`
      select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'attempts'
    `.execute(db);
    return result.rows.map((row) => row.name);
  }
  const result = await sql<{ name: string }>`
    select name from sqlite_master where type = 'index' and tbl_name = 'attempts'
  `.execute(db);
  return result.rows.map((row) => row.name);
}

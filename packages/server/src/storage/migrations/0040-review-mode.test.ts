import { Migrator, sql, type Kysely } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "../migrate.js";
import type { Database } from "../schema.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../../testing/databases.js";
import { migrationProvider } from "./index.js";

const at = "2026-01-01T00:00:00.000Z";

async function count(db: Kysely<Database>, table: string): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(result.rows[0]?.n);
}

const insertTask = (db: Kysely<Database>, id: string, mode: string) =>
  sql`insert into tasks (id, repository_id, ref, mode, prompt, status, attempts_requested, created_at, updated_at)
    values (${id}, 'r1', 'main', ${mode}, 'p', 'completed', 1, ${at}, ${at})`.execute(db);

describe.each(TEST_DIALECTS)("0040-review-mode on %s", (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  it("lets a task be a review, keeping every row that references tasks; down removes only review tasks", async () => {
    database = await openTestDatabase(dialect, { migrate: false });
    const { db } = database;
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo("0019-blobs")).error).toBeUndefined();
    await sql`insert into repositories (id, name, source, default_branch, created_at) values ('r1', 'r', '/src', 'main', ${at})`.execute(
      db,
    );
    await insertTask(db, "t1", "code");
    await sql`insert into attempts (id, task_id, number, status, diff, created_at, updated_at)
      values ('a1', 't1', 1, 'completed', 'the diff', ${at}, ${at})`.execute(db);
    await sql`insert into events (task_id, attempt_id, seq, type, data, created_at) values ('t1', 'a1', 1, 'x', '{}', ${at})`.execute(
      db,
    );
    await expect(insertTask(db, "t0", "review")).rejects.toThrow(/check/i);

    await migrateToLatest(db);

    expect([await count(db, "tasks"), await count(db, "attempts"), await count(db, "events")]).toEqual([1, 1, 1]);
    await insertTask(db, "t2", "review");
    await expect(insertTask(db, "t3", "lint")).rejects.toThrow(/check/i);
    await db.updateTable("tasks").set({ review_target: '{"kind":"task"}' }).where("id", "=", "t2").execute();
    await db.updateTable("attempts").set({ review: '{"findings":[]}' }).where("id", "=", "a1").execute();
    const row = await db.selectFrom("attempts").select("review").where("id", "=", "a1").executeTakeFirstOrThrow();
    expect(row.review).toBe('{"findings":[]}');
    // The rebuilt table still cascades: removing a task removes its attempts and events.
    if (dialect === "sqlite") {
      await insertTask(db, "t4", "ask");
      await sql`insert into attempts (id, task_id, number, status, created_at, updated_at) values ('a4', 't4', 1, 'queued', ${at}, ${at})`.execute(
        db,
      );
      await db.deleteFrom("tasks").where("id", "=", "t4").execute();
      expect(await count(db, "attempts")).toBe(1);
    }

    expect((await migrator.migrateTo("0019-blobs")).error).toBeUndefined();
    expect(await count(db, "tasks")).toBe(1);
    await expect(insertTask(db, "t5", "review")).rejects.toThrow(/check/i);
  });
});

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "./index.js";
import type { NewTask } from "./tasks-repo.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";

describe.each(TEST_DIALECTS)("tasks on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  async function newTask(overrides: Partial<NewTask> = {}) {
    const repository = overrides.repositoryId ?? (await repos.repositories.create({ name: "r", source: "/r" })).id;
    return repos.tasks.create({
      repositoryId: repository,
      ref: "main",
      mode: "code",
      prompt: "fix it",
      attempts: 1,
      ...overrides,
    });
  }

  it("creates a task with its queued attempts numbered 1..n", async () => {
    const { task, attempts } = await newTask({ attempts: 3, model: "gpt-5", baseCommit: "abc123", mode: "ask" });
    expect(await repos.tasks.get(task.id)).toEqual(task);
    expect(task).toMatchObject({
      status: "queued",
      attemptsRequested: 3,
      archived: false,
      mode: "ask",
      lastEventSeq: 0,
    });
    expect(task.model).toBe("gpt-5");
    const stored = await repos.attempts.listForTask(task.id);
    expect(stored).toEqual(attempts);
    expect(stored.map((attempt) => [attempt.number, attempt.status])).toEqual([
      [1, "queued"],
      [2, "queued"],
      [3, "queued"],
    ]);
    expect(new Set(stored.map((attempt) => attempt.id)).size).toBe(3);
  });

  it("refuses 0 or 5 attempts", async () => {
    await expect(newTask({ attempts: 0 })).rejects.toThrow(/1 to 4/);
    await expect(newTask({ attempts: 5 })).rejects.toThrow(/1 to 4/);
  });

  it("leaves nothing behind when inserting the attempts fails after the task row", async () => {
    const repository = await repos.repositories.create({ name: "atomic", source: "/atomic" });
    await injectAttemptInsertFailure(database);
    try {
      await expect(newTask({ repositoryId: repository.id, attempts: 2 })).rejects.toThrow(/injected failure/);
    } finally {
      await removeAttemptInsertFailure(database);
    }
    expect(await repos.tasks.list({ repositoryId: repository.id })).toEqual([]);
    const { task } = await newTask({ repositoryId: repository.id, attempts: 2 });
    expect((await repos.tasks.list({ repositoryId: repository.id })).map((t) => t.id)).toEqual([task.id]);
  });

  it("lists newest first, filtered by status, repository and archived, in pages", async () => {
    const one = await repos.repositories.create({ name: "one", source: "/one" });
    const two = await repos.repositories.create({ name: "two", source: "/two" });
    const base = Date.parse("2030-01-01T00:00:00Z");
    const made = [];
    for (let index = 0; index < 6; index++) {
      const repositoryId = index % 2 === 0 ? one.id : two.id;
      const input = { repositoryId, ref: "main", mode: "code" as const, prompt: `task ${index}`, attempts: 1 };
      made.push((await repos.tasks.create(input, new Date(base + index * 1000))).task);
    }
    const [t0, t1, t2, t3, t4, t5] = made.map((task) => task.id);
    await repos.tasks.updateStatus(t2!, "running");
    await repos.tasks.updateStatus(t4!, "completed", { finalMessage: "done" });
    await repos.tasks.setArchived(t0!, true);
    const ids = async (filter: Parameters<Repos["tasks"]["list"]>[0]) =>
      (await repos.tasks.list(filter)).map((task) => task.id);

    expect(await ids({ repositoryId: one.id })).toEqual([t4, t2, t0]);
    expect(await ids({ repositoryId: two.id })).toEqual([t5, t3, t1]);
    expect(await ids({ repositoryId: one.id, archived: false })).toEqual([t4, t2]);
    expect(await ids({ repositoryId: one.id, archived: true })).toEqual([t0]);
    expect(await ids({ repositoryId: one.id, status: "running" })).toEqual([t2]);
    expect(await ids({ repositoryId: one.id, status: ["running", "completed"] })).toEqual([t4, t2]);
    const everywhere = await ids({ status: "queued", archived: false });
    expect(everywhere).toEqual(expect.arrayContaining([t5, t3, t1]));
    expect(everywhere).not.toContain(t0);

    const page1 = await repos.tasks.list({ repositoryId: two.id, limit: 2 });
    expect(page1.map((task) => task.id)).toEqual([t5, t3]);
    const page2 = await repos.tasks.list({ repositoryId: two.id, limit: 2, before: page1[1] });
    expect(page2.map((task) => task.id)).toEqual([t1]);
    expect((await repos.tasks.get(t4!))?.finalMessage).toBe("done");
  });

  it("changes status only from the expected statuses", async () => {
    const { task } = await newTask();
    expect(await repos.tasks.updateStatus(task.id, "cancelled", { from: ["queued"], reason: "by user" })).toBe(true);
    expect(await repos.tasks.updateStatus(task.id, "completed", { from: ["queued", "running"] })).toBe(false);
    expect(await repos.tasks.get(task.id)).toMatchObject({ status: "cancelled", reason: "by user" });
    expect(await repos.tasks.updateStatus("missing", "failed")).toBe(false);
  });

  it("records a cancel request once, and only on an active task", async () => {
    const { task } = await newTask();
    expect(await repos.tasks.requestCancel(task.id)).toBe(true);
    expect(await repos.tasks.requestCancel(task.id)).toBe(false);
    expect((await repos.tasks.get(task.id))?.cancelRequestedAt).toEqual(expect.any(String));
    const { task: done } = await newTask();
    await repos.tasks.updateStatus(done.id, "completed");
    expect(await repos.tasks.requestCancel(done.id)).toBe(false);
  });

  it("keeps follow-up messages in order", async () => {
    const { task, attempts } = await newTask({ attempts: 2 });
    await repos.messages.add({ taskId: task.id, text: "also add a test" }, new Date("2030-01-01T00:00:01Z"));
    await repos.messages.add(
      { taskId: task.id, attemptId: attempts[1]!.id, text: "ünïcode ✓" },
      new Date("2030-01-01T00:00:02Z"),
    );
    const messages = await repos.messages.listForTask(task.id);
    expect(messages.map((message) => [message.text, message.attemptId])).toEqual([
      ["also add a test", null],
      ["ünïcode ✓", attempts[1]!.id],
    ]);
  });
});

/** Makes every insert into attempts fail inside the database, after the task row went in. */
async function injectAttemptInsertFailure(database: TestDatabase): Promise<void> {
  if (database.dialect === "sqlite") {
    await sql`create trigger fail_attempts before insert on attempts begin select raise(abort, 'injected failure'); end`.execute(
      database.db,
    );
    return;
  }
  await sql`create function fail_attempts() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(
    database.db,
  );
  await sql`create trigger fail_attempts before insert on attempts for each row execute function fail_attempts()`.execute(
    database.db,
  );
}

async function removeAttemptInsertFailure(database: TestDatabase): Promise<void> {
  if (database.dialect === "sqlite") {
    await sql`drop trigger fail_attempts`.execute(database.db);
    return;
  }
  await sql`drop trigger fail_attempts on attempts`.execute(database.db);
  await sql`drop function fail_attempts()`.execute(database.db);
}

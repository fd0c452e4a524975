import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createRepos, type Database, type Repos } from "../storage/index.js";
import { testPostgresUrl, TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import {
  admit,
  CONCURRENCY_RETRY_AFTER_SECONDS,
  linkAdmission,
  refund,
  release,
  SETTLE_MS,
  type Refusal,
} from "./admission.js";
import { testPlan } from "../../testing/plans.js";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const T0 = new Date("2026-03-02T09:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

let workspaces = 0;
/** Each test its own workspace, so the ledgers of tests do not mix. */
const newWorkspace = () => `ws-${++workspaces}-${Math.random().toString(36).slice(2, 8)}`;

async function newTask(repos: Repos, attempts = 1) {
  const repository = await repos.repositories.create({ name: "r", source: "/r" });
  const { task } = await repos.tasks.create({
    repositoryId: repository.id,
    ref: "main",
    mode: "code",
    prompt: "p",
    attempts,
  });
  return task;
}

function refused(result: Awaited<ReturnType<typeof admit>>): Refusal {
  if (result.ok) throw new Error("expected a refusal");
  return result;
}

async function burst(repos: Repos, workspaceId: string, count: number, plan = testPlan({ tasksPer5h: 10 })) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      admit(repos, { workspaceId, userId: `u${i}`, plan, kind: "task", attempts: 1, model: "gpt-5", now: T0 }),
    ),
  );
}

describe.each(TEST_DIALECTS)("admission on %s", (dialect) => {
  const context = useTestRepos(dialect);

  it("admits exactly the limit out of 50 simultaneous requests", async () => {
    const workspaceId = newWorkspace();
    const results = await burst(context.repos, workspaceId, 50);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const refusals = results.filter((r): r is Refusal => !r.ok);
    expect(refusals).toHaveLength(40);
    expect(new Set(refusals.map((r) => r.limit))).toEqual(new Set(["tasks_per_5h"]));
    expect(refusals[0]).toMatchObject({
      used: 10,
      max: 10,
      resetAt: at(5 * HOUR).toISOString(),
      retryAfterSeconds: 5 * 3600,
    });
    expect(await context.repos.admissions.reader.unitsSince(workspaceId, "")).toBe(10);
  });

  it("admits exactly the concurrency cap out of 20 simultaneous requests", async () => {
    const plan = testPlan({ concurrentTasks: 3 });
    const results = await burst(context.repos, newWorkspace(), 20, plan);
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.limit === "concurrent_tasks")).toBe(true);
  });

  it("lets room back into the rolling 5-hour window as old admissions leave it", async () => {
    const { repos } = context;
    const workspaceId = newWorkspace();
    const plan = testPlan({ tasksPer5h: 2 });
    const request = { workspaceId, userId: "u", plan, kind: "task" as const, attempts: 1 };
    expect((await admit(repos, { ...request, now: T0 })).ok).toBe(true);
    expect((await admit(repos, { ...request, now: at(HOUR) })).ok).toBe(true);
    const refusal = refused(await admit(repos, { ...request, now: at(2 * HOUR) }));
    expect(refusal).toMatchObject({ limit: "tasks_per_5h", used: 2, max: 2, resetAt: at(5 * HOUR).toISOString() });
    expect(refusal.retryAfterSeconds).toBe(3 * 3600);
    expect((await admit(repos, { ...request, now: at(5 * HOUR - 1) })).ok).toBe(false);
    expect((await admit(repos, { ...request, now: at(5 * HOUR) })).ok).toBe(true);
    // A best-of-2 needs two units: both remaining admissions must leave first.
    const pair = refused(await admit(repos, { ...request, attempts: 2, now: at(5 * HOUR + 1) }));
    expect(pair.resetAt).toBe(at(10 * HOUR).toISOString());
  });

  it("caps the rolling week, counting every attempt", async () => {
    const { repos } = context;
    const workspaceId = newWorkspace();
    const plan = testPlan({ tasksPerWeek: 3, tasksPer5h: 100 });
    const request = { workspaceId, userId: "u", plan, kind: "task" as const };
    expect((await admit(repos, { ...request, attempts: 2, now: T0 })).ok).toBe(true);
    expect((await admit(repos, { ...request, attempts: 1, now: at(DAY) })).ok).toBe(true);
    const refusal = refused(await admit(repos, { ...request, attempts: 1, now: at(2 * DAY) }));
    expect(refusal).toMatchObject({ limit: "tasks_per_week", used: 3, max: 3, resetAt: at(7 * DAY).toISOString() });
    expect(refusal.retryAfterSeconds).toBe(5 * 24 * 3600);
    // Over the plan however long one waits: a refusal without Retry-After.
    const never = refused(await admit(repos, { ...request, attempts: 4, now: at(2 * DAY) }));
    expect(never).toMatchObject({ limit: "tasks_per_week", resetAt: null, retryAfterSeconds: null });
    expect((await admit(repos, { ...request, attempts: 1, now: at(7 * DAY) })).ok).toBe(true);
  });

  it("holds a concurrency slot while the task is active, until released", async () => {
    const { repos } = context;
    const workspaceId = newWorkspace();
    const plan = testPlan({ concurrentTasks: 1 });
    const request = { workspaceId, userId: "u", plan, kind: "task" as const, attempts: 1 };
    const now = new Date();
    const later = (ms: number) => new Date(now.getTime() + ms);

    const first = await admit(repos, { ...request, now });
    if (!first.ok) throw new Error(first.message);
    const taskA = await newTask(repos);
    await linkAdmission(repos, first.admissionId, taskA.id);
    const busy = refused(await admit(repos, { ...request, now: later(1000) }));
    expect(busy).toMatchObject({ limit: "concurrent_tasks", used: 1, max: 1, resetAt: null });
    expect(busy.retryAfterSeconds).toBe(CONCURRENCY_RETRY_AFTER_SECONDS);
    // Still held long after admitting: task A is queued.
    expect((await admit(repos, { ...request, now: later(10 * SETTLE_MS) })).ok).toBe(false);

    // A follow-up into the task that holds the slot needs no other one.
    const followUp = await admit(repos, { ...request, kind: "follow_up", taskId: taskA.id, now: later(2000) });
    expect(followUp.ok).toBe(true);

    expect(await release(repos, first.admissionId)).toBe(true);
    // The follow-up's admission still holds task A's slot.
    expect((await admit(repos, { ...request, now: later(3000) })).ok).toBe(false);
    await repos.tasks.updateStatus(taskA.id, "completed");
    // Ended, but the follow-up was admitted under a minute ago: it may be reopening the task.
    expect((await admit(repos, { ...request, now: later(3000) })).ok).toBe(false);
    const second = await admit(repos, { ...request, now: later(2000 + SETTLE_MS + 1) });
    expect(second.ok).toBe(true);

    // An admission whose task never appears holds its slot for the settle time only.
    expect((await admit(repos, { ...request, now: later(3000 + SETTLE_MS) })).ok).toBe(false);
    expect((await admit(repos, { ...request, now: later(3000 + 2 * SETTLE_MS) })).ok).toBe(true);
  });

  it("refuses attempts and models the plan does not include, recording nothing", async () => {
    const { repos } = context;
    const workspaceId = newWorkspace();
    const plan = testPlan({ maxAttempts: 2, models: ["*mini*", "claude-haiku-*"], title: "Free" });
    const request = { workspaceId, userId: "u", plan, kind: "task" as const, now: T0 };
    const attempts = refused(await admit(repos, { ...request, attempts: 3, model: "gpt-5-mini" }));
    expect(attempts).toMatchObject({ limit: "max_attempts", used: 3, max: 2, resetAt: null, retryAfterSeconds: null });
    expect(attempts.message).toMatch(/Free plan allows 2 attempt/);
    const model = refused(await admit(repos, { ...request, attempts: 1, model: "gpt-5.1-codex" }));
    expect(model).toMatchObject({ limit: "models", retryAfterSeconds: null });
    expect(model.message).toContain("gpt-5.1-codex");
    expect((await admit(repos, { ...request, attempts: 1, model: "Claude-Haiku-4-5" })).ok).toBe(true);
    expect((await admit(repos, { ...request, attempts: 2, model: "gpt-5-mini" })).ok).toBe(true);
    expect(await repos.admissions.reader.unitsSince(workspaceId, "")).toBe(3);
  });

  it("gives back a refunded admission and keeps workspaces apart", async () => {
    const { repos } = context;
    const plan = testPlan({ tasksPer5h: 1 });
    const mine = newWorkspace();
    const request = { workspaceId: mine, userId: "u", plan, kind: "task" as const, attempts: 1, now: T0 };
    const first = await admit(repos, request);
    if (!first.ok) throw new Error(first.message);
    expect((await admit(repos, request)).ok).toBe(false);
    expect((await admit(repos, { ...request, workspaceId: newWorkspace() })).ok).toBe(true);
    expect(await refund(repos, first.admissionId)).toBe(true);
    expect((await admit(repos, request)).ok).toBe(true);
  });
});

describe("admission on postgres over separate connections", () => {
  const context = useTestRepos("postgres");

  it("admits exactly 10 of 50 when the requests really run at once", async () => {
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(context.database.db))
      .rows[0]!.schema;
    const pool = new pg.Pool({ connectionString: testPostgresUrl(), max: 20, options: `-c search_path=${schema}` });
    let inUse = 0;
    let mostInUse = 0;
    pool.on("acquire", () => (mostInUse = Math.max(mostInUse, ++inUse)));
    pool.on("release", () => inUse--);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      const results = await burst(
        createRepos({ db, dialect: "postgres", secretCipher: context.database.secretCipher }),
        newWorkspace(),
        50,
      );
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      // Several transactions were open at once, each on its own connection, waiting on the lock.
      expect(mostInUse).toBeGreaterThan(5);
      expect(pool.totalCount).toBeGreaterThan(5);
    } finally {
      await db.destroy();
    }
  });
});

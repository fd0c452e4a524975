import type { TaskUsage } from "@quire/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "./index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";

const T0 = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(TEST_DIALECTS)("attempts and leases on %s", (dialect) => {
  // A fresh database per test: claims take whatever is queued, so tests must not share a queue.
  let database: TestDatabase;
  let repos: Repos;
  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
  });
  afterEach(async () => {
    await database?.cleanup();
  });

  async function newTask(attempts = 1, now = T0) {
    const repository = await repos.repositories.create({ name: "r", source: "/r" });
    return repos.tasks.create({ repositoryId: repository.id, ref: "main", mode: "code", prompt: "p", attempts }, now);
  }

  it("lets exactly one of 10 concurrent claimers win an attempt", async () => {
    const { attempts } = await newTask(1);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, worker) => repos.attempts.claim(`worker-${worker}`, { leaseMs: 60_000, now: T0 })),
    );
    const winners = claims.filter((claim) => claim !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: attempts[0]!.id, status: "preparing", startedAt: T0.toISOString() });
    expect(winners[0]!.leaseExpiresAt).toBe(at(60_000).toISOString());
    expect(await repos.attempts.get(attempts[0]!.id)).toEqual(winners[0]);
  });

  it("hands 3 attempts to 3 of 10 concurrent claimers, oldest first, each to one worker", async () => {
    const older = await newTask(2, T0);
    const newer = await newTask(1, at(1000));
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, worker) =>
        repos.attempts.claim(`worker-${worker}`, { leaseMs: 60_000, now: at(2000) }),
      ),
    );
    const winners = claims.filter((claim) => claim !== undefined);
    expect(winners.map((claim) => claim.id).sort()).toEqual(
      [...older.attempts, ...newer.attempts].map((attempt) => attempt.id).sort(),
    );
    expect(new Set(winners.map((claim) => claim.workerId)).size).toBe(3);
    expect(await repos.attempts.claim("late", { leaseMs: 1000 })).toBeUndefined();
  });

  it("claims a given attempt only while it is queued", async () => {
    const { attempts } = await newTask(2);
    const second = attempts[1]!.id;
    expect((await repos.attempts.claim("a", { leaseMs: 1000, attemptId: second }))?.id).toBe(second);
    expect(await repos.attempts.claim("b", { leaseMs: 1000, attemptId: second })).toBeUndefined();
    expect((await repos.attempts.claim("b", { leaseMs: 1000 }))?.id).toBe(attempts[0]!.id);
  });

  it("detects expired leases, renews only for the holder, and interrupts the dead worker's attempt", async () => {
    const { attempts } = await newTask(1);
    const id = attempts[0]!.id;
    await repos.attempts.claim("w1", { leaseMs: 1000, now: T0 });
    expect(await repos.attempts.markRunning(id, "w1", at(100))).toBe(true);
    expect(await repos.attempts.findExpiredLeases(at(999))).toEqual([]);
    expect(await repos.attempts.renewLease(id, "w2", { leaseMs: 1000, now: at(900) })).toBe(false);
    expect(await repos.attempts.renewLease(id, "w1", { leaseMs: 1000, now: at(900) })).toBe(true);
    expect(await repos.attempts.findExpiredLeases(at(1500))).toEqual([]);
    expect((await repos.attempts.findExpiredLeases(at(2000))).map((attempt) => attempt.id)).toEqual([id]);

    const recovered = await repos.attempts.recoverExpired("interrupt", at(2000));
    expect(recovered.map((attempt) => [attempt.id, attempt.status])).toEqual([[id, "interrupted"]]);
    expect(await repos.attempts.recoverExpired("interrupt", at(3000))).toEqual([]);
    // The worker comes back too late: it has lost the attempt and may write nothing.
    expect(await repos.attempts.renewLease(id, "w1", { leaseMs: 1000, now: at(2100) })).toBe(false);
    expect(await repos.attempts.finish(id, "w1", { status: "completed", diff: "late" }, at(2100))).toBe(false);
    expect(await repos.attempts.get(id)).toMatchObject({ status: "interrupted", diff: null, leaseExpiresAt: null });
  });

  it("requeues an expired attempt for another worker", async () => {
    const { attempts } = await newTask(1);
    await repos.attempts.claim("w1", { leaseMs: 1000, now: T0 });
    const [requeued] = await repos.attempts.recoverExpired("requeue", at(5000));
    expect(requeued).toMatchObject({ id: attempts[0]!.id, status: "queued", workerId: null, leaseExpiresAt: null });
    const again = await repos.attempts.claim("w2", { leaseMs: 1000, now: at(6000) });
    expect(again).toMatchObject({ id: attempts[0]!.id, workerId: "w2" });
    expect(await repos.attempts.markRunning(attempts[0]!.id, "w1")).toBe(false);
  });

  it("stores a finished attempt's result and round-trips its JSON", async () => {
    const { attempts } = await newTask(1);
    const id = attempts[0]!.id;
    await repos.attempts.claim("w1", { leaseMs: 1000, now: T0 });
    const usage: TaskUsage = {
      input_tokens: 1200,
      cached_input_tokens: 100,
      output_tokens: 300,
      reasoning_output_tokens: 50,
      model_calls: 2,
      per_call: [
        { input_tokens: 1200, cached_input_tokens: 100, output_tokens: 300, reasoning_output_tokens: 50, kind: "turn" },
      ],
    } as TaskUsage;
    const diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new ✓\n";
    const result = {
      status: "completed" as const,
      diff,
      diffStats: { files: 1, insertions: 1, deletions: 1 },
      finalMessage: 'Fixed the "date" test.',
      verification: "checks_failed" as const,
      verificationLog: "npm test\nexit 1",
      usage,
    };
    expect(await repos.attempts.finish(id, "w1", result, at(500))).toBe(true);
    const stored = await repos.attempts.get(id);
    expect(stored).toMatchObject({ ...result, leaseExpiresAt: null, finishedAt: at(500).toISOString() });
    expect(stored?.usage).toEqual(usage);
    expect(await repos.attempts.findExpiredLeases(at(10_000))).toEqual([]);
    // A follow-up puts it back in the queue.
    expect(await repos.attempts.requeue(id)).toBe(true);
    expect((await repos.attempts.claim("w2", { leaseMs: 1000 }))?.id).toBe(id);
  });

  it("keeps a blob reference and the whole size of a diff kept in the blob store", async () => {
    const { attempts } = await newTask(1);
    const id = attempts[0]!.id;
    expect(await repos.attempts.get(id)).toMatchObject({ diffBlob: null, diffBytes: null });
    await repos.attempts.claim("w1", { leaseMs: 1000, now: T0 });
    // Past 2^31: the size column is a bigint, which PostgreSQL answers as text.
    const result = {
      status: "completed" as const,
      diff: "+head\n",
      diffBlob: "f".repeat(64),
      diffBytes: 3_000_000_000,
    };
    expect(await repos.attempts.finish(id, "w1", result, at(500))).toBe(true);
    expect(await repos.attempts.get(id)).toMatchObject(result);
  });
});

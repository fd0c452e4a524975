import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { adminQuery, testPostgresUrl } from "../../testing/databases.js";
import { PgBossQueue } from "./pg-boss-queue.js";

describe("the pg-boss queue", () => {
  const schema = `quire_queue_test_${randomBytes(5).toString("hex")}`;
  const queues: PgBossQueue[] = [];
  afterAll(async () => {
    for (const queue of queues) await queue.stop();
    await adminQuery(testPostgresUrl(), `drop schema if exists ${schema} cascade`);
  });

  it("wakes an idle worker in another process at once when an attempt is enqueued, not at its next poll", async () => {
    const logger = pino({ level: "silent" });
    // Two queue objects: the worker's process and the API's. The worker polls only every minute.
    const worker = new PgBossQueue({ url: testPostgresUrl(), schema, logger, pollingIntervalSeconds: 60 });
    const api = new PgBossQueue({ url: testPostgresUrl(), schema, logger });
    queues.push(worker, api);
    const handled: string[] = [];
    let wake: () => void = () => undefined;
    const picked = new Promise<void>((resolve) => (wake = resolve));
    await worker.work(2, async (attemptId) => {
      handled.push(attemptId);
      wake();
    });
    await api.start();
    // Past the worker's first fetch, so only a wake-up (or a minute's wait) finds the job.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const sentAt = Date.now();
    await api.enqueue(["attempt-1"]);
    await picked;
    expect(handled).toEqual(["attempt-1"]);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
  });
});

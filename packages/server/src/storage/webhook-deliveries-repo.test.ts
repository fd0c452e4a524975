import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "./index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";

describe.each(TEST_DIALECTS)("webhook deliveries on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
  });
  afterAll(async () => database?.cleanup());

  const newWebhook = () =>
    repos.webhooks.create({
      workspaceId: "local",
      url: "https://hooks.example.com/x",
      secret: "whsec_test",
      format: "json",
      events: ["task.finished"],
      createdBy: null,
    });
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

  it("gives a due try to exactly one of many racing claimants; only that one records it", async () => {
    const webhook = await newWebhook();
    await repos.webhookDeliveries.add(
      [{ id: "d-race", webhookId: webhook.id, event: "task.finished", taskId: "t1", body: "{}" }],
      at(0),
    );
    const claimants = Array.from({ length: 8 }, (_, index) => `claimant-${index}`);
    const won = await Promise.all(
      claimants.map((claimant) => repos.webhookDeliveries.claim("d-race", claimant, at(120), at(1))),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = claimants[won.indexOf(true)]!;
    const loser = claimants.find((claimant) => claimant !== winner)!;
    // Claimed: not due for anyone else, and a loser cannot record the outcome.
    expect(await repos.webhookDeliveries.due(at(2), at(2), 10)).toEqual([]);
    const outcome = { attempts: 1, nextAttemptAt: at(5), statusCode: 503, error: "the receiver answered HTTP 503" };
    expect(await repos.webhookDeliveries.retryLater("d-race", loser, outcome, at(2))).toBe(false);
    expect(await repos.webhookDeliveries.retryLater("d-race", winner, outcome, at(2))).toBe(true);

    // Not due before its time; then due, and claimed again by one.
    expect(await repos.webhookDeliveries.claim("d-race", "early", at(125), at(4))).toBe(false);
    expect(await repos.webhookDeliveries.due(at(3), at(4), 10)).toEqual([]);
    expect(await repos.webhookDeliveries.due(at(3), at(5), 10)).toEqual([
      { id: "d-race", nextAttemptAt: at(5).toISOString() },
    ]);
    expect(await repos.webhookDeliveries.claim("d-race", "second", at(125), at(5))).toBe(true);
    const done = { status: "delivered" as const, attempts: 2, statusCode: 200, error: null };
    expect(await repos.webhookDeliveries.finish("d-race", "second", done, at(6))).toBe(true);
    expect(await repos.webhookDeliveries.finish("d-race", "second", done, at(6))).toBe(false);
    expect(await repos.webhookDeliveries.claim("d-race", "third", at(300), at(200))).toBe(false);
    expect(await repos.webhookDeliveries.get("d-race")).toMatchObject({
      status: "delivered",
      attempts: 2,
      nextAttemptAt: null,
      lastStatusCode: 200,
    });
  });

  it("takes back a claim that outlived its process, once it ran out", async () => {
    const webhook = await newWebhook();
    await repos.webhookDeliveries.add(
      [{ id: "d-stale", webhookId: webhook.id, event: "task.finished", taskId: null, body: "{}" }],
      at(0),
    );
    expect(await repos.webhookDeliveries.claim("d-stale", "died", at(60), at(0))).toBe(true);
    expect(await repos.webhookDeliveries.claim("d-stale", "other", at(120), at(59))).toBe(false);
    expect((await repos.webhookDeliveries.due(at(60), at(60), 10)).map((row) => row.id)).toContain("d-stale");
    expect(await repos.webhookDeliveries.claim("d-stale", "other", at(120), at(60))).toBe(true);
    // The dead claimant's late record is refused.
    const failed = { status: "failed" as const, attempts: 1, statusCode: 400, error: "x" };
    expect(await repos.webhookDeliveries.finish("d-stale", "died", failed, at(61))).toBe(false);
  });

  it("goes with its webhook, and forgets finished rows after the keeping time but never pending ones", async () => {
    const webhook = await newWebhook();
    await repos.webhookDeliveries.add(
      [
        { id: "d-old-done", webhookId: webhook.id, event: "task.finished", taskId: null, body: "{}" },
        { id: "d-old-pending", webhookId: webhook.id, event: "task.finished", taskId: null, body: "{}" },
      ],
      at(0),
    );
    await repos.webhookDeliveries.claim("d-old-done", "c", at(60), at(0));
    await repos.webhookDeliveries.finish(
      "d-old-done",
      "c",
      { status: "delivered", attempts: 1, statusCode: 204, error: null },
      at(1),
    );
    expect(await repos.webhookDeliveries.prune(at(2))).toBeGreaterThanOrEqual(1);
    expect(await repos.webhookDeliveries.get("d-old-done")).toBeUndefined();
    expect(await repos.webhookDeliveries.get("d-old-pending")).toBeDefined();
    await repos.webhooks.remove(webhook.id);
    expect(await repos.webhookDeliveries.get("d-old-pending")).toBeUndefined();
  });
});

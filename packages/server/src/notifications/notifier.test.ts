/**
 * Retries that outlive their process: a notifier stopped while it waits to try again leaves the
 * delivery in the database, and another notifier on the same database (a restarted server, or a
 * worker) makes the next try — once, with the same body, delivery id and signature — on SQLite
 * and PostgreSQL, against a real receiver.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "../storage/index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";
import { Notifier, type NotifierOptions } from "./notifier.js";
import type { TaskNotice } from "./notice.js";

interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

/** A receiver that answers each post with the next of `statuses` (then 200). */
async function startReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ body, headers: request.headers, at: Date.now() });
      response.writeHead(statuses.shift() ?? 200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const facts = (taskId: string): Omit<TaskNotice, "url"> => ({
  taskId,
  workspaceId: "local",
  status: "completed",
  mode: "code",
  title: "Fix add",
  repository: { id: "r1", name: "tiny" },
  verification: "passed",
  diffStats: { files: 1, insertions: 1, deletions: 1 },
  reason: null,
});

describe.each(TEST_DIALECTS)("webhook retries across processes on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  let home: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const notifiers: Notifier[] = [];
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
    home = await mkdtemp(path.join(os.tmpdir(), "quire-notifier-"));
  });
  afterEach(async () => {
    while (notifiers.length > 0) await notifiers.pop()?.stop();
    await receiver?.close();
  });
  afterAll(async () => {
    await database?.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  const notifier = (options: Partial<NotifierOptions> = {}): Notifier => {
    const made = new Notifier({
      repos,
      logger: pino({ level: "silent" }),
      home,
      publicUrl: () => "https://quire.example.com",
      ...options,
    });
    notifiers.push(made);
    return made;
  };
  const addWebhook = async (statuses: number[]) => {
    receiver = await startReceiver(statuses);
    await writeFile(path.join(home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${receiver.port}"]\n`);
    const secret = `whsec_${dialect}`;
    const webhook = await repos.webhooks.create({
      workspaceId: "local",
      url: `http://127.0.0.1:${receiver.port}/hook`,
      secret,
      format: "json",
      events: ["task.finished"],
      createdBy: null,
    });
    return { webhook, secret };
  };

  it("is delivered by a new notifier after the first one stopped mid-backoff, exactly once", async () => {
    const { webhook, secret } = await addWebhook([503]);
    const first = notifier({ retryDelaysMs: [1_500, 1_500], pollMs: 60_000 });
    first.start();
    await first.notify("task.finished", facts("t-restart"));
    await expect.poll(() => receiver.received.length).toBe(1);
    const [pending] = await repos.webhookDeliveries.listForWebhook(webhook.id);
    await expect.poll(async () => (await repos.webhookDeliveries.get(pending!.id))?.attempts).toBe(1);
    // Stopped while it waits: its retry is not made.
    await first.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.received).toHaveLength(1);
    expect(await repos.webhookDeliveries.get(pending!.id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatusCode: 503,
    });

    // Two new processes start against the same database: the try is made once.
    const second = notifier({ retryDelaysMs: [1_500, 1_500], pollMs: 200 });
    const third = notifier({ retryDelaysMs: [1_500, 1_500], pollMs: 200 });
    second.start();
    third.start();
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2);
    await expect
      .poll(async () => (await repos.webhookDeliveries.get(pending!.id))?.status, { timeout: 5_000 })
      .toBe("delivered");
    await Promise.all([second.idle(), third.idle()]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.received).toHaveLength(2);

    const [failedTry, deliveredTry] = receiver.received;
    expect(deliveredTry!.body).toBe(failedTry!.body);
    expect(deliveredTry!.headers["x-quire-delivery"]).toBe(pending!.id);
    expect(failedTry!.headers["x-quire-delivery"]).toBe(pending!.id);
    const signature = `sha256=${createHmac("sha256", secret).update(deliveredTry!.body).digest("hex")}`;
    expect(deliveredTry!.headers["x-quire-signature"]).toBe(signature);
    expect(JSON.parse(deliveredTry!.body)).toMatchObject({
      event: "task.finished",
      delivery_id: pending!.id,
      task: { id: "t-restart", url: "https://quire.example.com/tasks/t-restart" },
    });
    expect((await repos.webhooks.get(webhook.id))?.lastDelivery).toMatchObject({
      status: "delivered",
      statusCode: 200,
      attempts: 2,
      event: "task.finished",
    });
    await repos.webhooks.remove(webhook.id);
  }, 30_000);

  it("keeps the schedule and gives up after the last retry, once", async () => {
    const { webhook } = await addWebhook([500, 502, 503, 500]);
    const sender = notifier({ retryDelaysMs: [300, 600], pollMs: 100 });
    const other = notifier({ retryDelaysMs: [300, 600], pollMs: 100 });
    sender.start();
    other.start();
    await sender.notify("task.finished", facts("t-give-up"));
    await expect
      .poll(async () => (await repos.webhooks.get(webhook.id))?.lastDelivery?.status, { timeout: 10_000 })
      .toBe("failed");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Three tries (the first and two retries), spaced by the delays, whichever notifier made them.
    expect(receiver.received).toHaveLength(3);
    const gaps = receiver.received.slice(1).map((post, index) => post.at - receiver.received[index]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(280);
    expect(gaps[1]).toBeGreaterThanOrEqual(580);
    expect((await repos.webhooks.get(webhook.id))?.lastDelivery).toMatchObject({ statusCode: 503, attempts: 3 });
    const [row] = await repos.webhookDeliveries.listForWebhook(webhook.id);
    expect(row).toMatchObject({ status: "failed", attempts: 3, nextAttemptAt: null });
    await repos.webhooks.remove(webhook.id);
  }, 30_000);
});

/**
 * Notifications out (issue 15, item 4): a workspace's webhooks against a real `quire serve` and a
 * real receiver. The body is signed with HMAC-SHA256 under the secret shown once; a failing
 * receiver is tried again with backoff and the last status recorded, also by a server started after
 * the one that was waiting to try again was killed; the destination rule keeps
 * private addresses out unless config.toml allows them; no secret reaches the logs.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, createTaskOnSource, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A receiver that answers each post with the next status of `statuses` (then 200). */
async function startReceiver(statuses: number[] = []): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ body, headers: request.headers });
      response.writeHead(statuses.shift() ?? 200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as AddressInfo).port, received };
}

async function serve(modelUrl: string, allowPort?: number, home = tempHome()): Promise<ServeProcess> {
  if (allowPort !== undefined) {
    writeFileSync(path.join(home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${allowPort}"]\n`);
  }
  const server = await startServe({
    home,
    env: { ...providerEnv("openai", modelUrl), QUIRE_PUBLIC_URL: "https://quire.example.com" },
    args: ["-m", "scripted-model", "--workers", "1"],
  });
  closers.push(() => server.stop());
  return server;
}

async function addWebhook(url: string, body: Record<string, unknown>) {
  const created = await api<{ webhook: { id: string; urlHint: string }; secret: string }>(
    `${url}/api/webhooks`,
    "POST",
    body,
  );
  expect(created.status).toBe(201);
  return created.body;
}

async function lastDelivery(url: string, id: string) {
  const list = await api<{ webhooks: { id: string; lastDelivery: Record<string, unknown> | null }[] }>(
    `${url}/api/webhooks`,
    "GET",
  );
  return list.body.webhooks.find((webhook) => webhook.id === id)?.lastDelivery ?? null;
}

describe("webhooks", () => {
  it("posts a signed task.finished, retried while the receiver fails, with the last status recorded", async () => {
    const receiver = await startReceiver([500, 503]);
    const model = await scriptedModel([{ text: "Looked: nothing to change." }]);
    const server = await serve(model.url, receiver.port);
    const hookUrl = `http://127.0.0.1:${receiver.port}/hooks/very-secret-path`;
    const { webhook, secret } = await addWebhook(server.url, { url: hookUrl, events: ["task.finished"] });
    expect(secret).toMatch(/^whsec_/);
    expect(webhook.urlHint).toBe(`http://127.0.0.1:${receiver.port}`);
    // The list never shows the secret or the URL's path.
    const listed = JSON.stringify((await api(`${server.url}/api/webhooks`, "GET")).body);
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain("very-secret-path");

    const taskId = await createTaskOnSource(server.url, makeRepo({ "README.md": "# tiny\n" }), {
      mode: "ask",
      prompt: "Is anything wrong?\nDetails follow.",
    });
    await readTaskEvents(server.url, taskId);
    await expect.poll(() => receiver.received.length, { timeout: 30_000, interval: 200 }).toBe(3);
    await expect
      .poll(() => lastDelivery(server.url, webhook.id), { timeout: 10_000 })
      .toMatchObject({ status: "delivered", statusCode: 200, attempts: 3, event: "task.finished", error: null });

    for (const post of receiver.received) {
      const expected = `sha256=${createHmac("sha256", secret).update(post.body).digest("hex")}`;
      expect(post.headers["x-quire-signature"]).toBe(expected);
      expect(post.headers["x-quire-event"]).toBe("task.finished");
    }
    // A body signed under another secret does not match: the receiver can tell.
    const forged = createHmac("sha256", "whsec_other").update(receiver.received[0]!.body).digest("hex");
    expect(receiver.received[0]!.headers["x-quire-signature"]).not.toBe(`sha256=${forged}`);
    // The same delivery each try.
    expect(new Set(receiver.received.map((post) => post.headers["x-quire-delivery"])).size).toBe(1);
    expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({
      event: "task.finished",
      task: {
        id: taskId,
        status: "completed",
        mode: "ask",
        title: "Is anything wrong?",
        verification: null,
        diff_stats: { files: 0, insertions: 0, deletions: 0 },
        url: `https://quire.example.com/tasks/${taskId}`,
      },
    });

    const logs = server.stdout() + server.stderr();
    expect(logs).toContain(webhook.id);
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain("very-secret-path");
    expect(logs).not.toContain(receiver.received[0]!.headers["x-quire-signature"]);
  }, 90_000);

  it("delivers after the server was killed while it waited to try again: a new server on the same home does, once", async () => {
    const receiver = await startReceiver([500, 502]);
    const model = await scriptedModel([{ text: "Looked." }]);
    const home = tempHome();
    const first = await serve(model.url, receiver.port, home);
    const { webhook, secret } = await addWebhook(first.url, {
      url: `http://127.0.0.1:${receiver.port}/hook`,
      events: ["task.finished"],
    });
    const taskId = await createTaskOnSource(first.url, makeRepo({ "README.md": "# tiny\n" }), {
      mode: "ask",
      prompt: "Anything?",
    });
    await readTaskEvents(first.url, taskId);
    // The second try fails too: the third waits 4 s, and the server is killed meanwhile.
    await expect.poll(() => receiver.received.length, { timeout: 30_000, interval: 100 }).toBe(2);
    await first.kill();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(receiver.received).toHaveLength(2);

    const second = await serve(model.url, receiver.port, home);
    await expect.poll(() => receiver.received.length, { timeout: 20_000, interval: 200 }).toBe(3);
    await expect
      .poll(() => lastDelivery(second.url, webhook.id), { timeout: 10_000 })
      .toMatchObject({ status: "delivered", statusCode: 200, attempts: 3, event: "task.finished" });
    const last = receiver.received[2]!;
    expect(last.body).toBe(receiver.received[0]!.body);
    expect(last.headers["x-quire-delivery"]).toBe(receiver.received[0]!.headers["x-quire-delivery"]);
    expect(last.headers["x-quire-signature"]).toBe(
      `sha256=${createHmac("sha256", secret).update(last.body).digest("hex")}`,
    );
    // Delivered means done: no process tries it again.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(receiver.received).toHaveLength(3);
  }, 120_000);

  it("posts task.delivered when a task is delivered through the API, with its branch and commit", async () => {
    const receiver = await startReceiver();
    const model = await scriptedModel([
      { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
      { text: "Fixed add." },
    ]);
    const server = await serve(model.url, receiver.port);
    await addWebhook(server.url, { url: `http://127.0.0.1:${receiver.port}/`, events: ["task.delivered"] });
    const remote = mkdtempSync(path.join(os.tmpdir(), "quire-webhooks-remote-"));
    execFileSync("git", ["init", "--quiet", "--bare", remote]);
    const source = makeRepo(failingTestRepo);
    git(source, "remote", "add", "origin", remote);
    const taskId = await createTaskOnSource(server.url, source, { mode: "code", prompt: "Fix add" });
    await readTaskEvents(server.url, taskId);
    const delivered = await api<{ delivery: { branch: string; commit: string } }>(
      `${server.url}/api/tasks/${taskId}/deliver`,
      "POST",
      {},
    );
    expect(delivered.status).toBe(200);
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(1);
    const notice = JSON.parse(receiver.received[0]!.body) as Record<string, unknown>;
    expect(notice).toMatchObject({
      event: "task.delivered",
      task: {
        id: taskId,
        status: "completed",
        delivery: {
          branch: delivered.body.delivery.branch,
          commit: delivered.body.delivery.commit,
          pull_request: null,
        },
      },
    });
    expect(git(remote, "rev-parse", `refs/heads/${delivered.body.delivery.branch}`).trim()).toBe(
      delivered.body.delivery.commit,
    );
  }, 90_000);

  it("records a refused answer without retrying it, and keeps private addresses out", async () => {
    const failing = await startReceiver([400]);
    const slack = await startReceiver();
    const model = await scriptedModel([{ text: "Done." }]);
    // Only the failing receiver is allowed: the Slack one is a private address nobody allowed.
    const server = await serve(model.url, failing.port);
    const failed = await addWebhook(server.url, { url: `http://127.0.0.1:${failing.port}/` });
    const refused = await addWebhook(server.url, { url: `http://127.0.0.1:${slack.port}/`, format: "slack" });
    const taskId = await createTaskOnSource(server.url, makeRepo({ "README.md": "# tiny\n" }), {
      mode: "ask",
      prompt: "Look <here> & there",
    });
    await readTaskEvents(server.url, taskId);
    // A 400 is the receiver's answer, not a fault to wait out: no retry.
    await expect
      .poll(() => lastDelivery(server.url, failed.webhook.id), { timeout: 20_000 })
      .toMatchObject({ status: "failed", statusCode: 400, attempts: 1, error: "the receiver answered HTTP 400" });
    await expect
      .poll(() => lastDelivery(server.url, refused.webhook.id), { timeout: 20_000 })
      .toMatchObject({ status: "failed", statusCode: null });
    const refusal = (await lastDelivery(server.url, refused.webhook.id))!;
    expect(refusal.error).toMatch(/private or local addresses, which webhooks may not reach/);
    expect(slack.received).toHaveLength(0);
    expect(failing.received).toHaveLength(1);
  }, 90_000);

  it("formats a Slack message with the link, status and diff stats", async () => {
    const slack = await startReceiver();
    const model = await scriptedModel([{ text: "Done." }]);
    const server = await serve(model.url, slack.port);
    await addWebhook(server.url, { url: `http://127.0.0.1:${slack.port}/services/T0/B0/x`, format: "slack" });
    const taskId = await createTaskOnSource(server.url, makeRepo({ "README.md": "# tiny\n" }), {
      mode: "ask",
      prompt: "Look <here> & there",
    });
    await readTaskEvents(server.url, taskId);
    await expect.poll(() => slack.received.length, { timeout: 20_000 }).toBe(1);
    expect(JSON.parse(slack.received[0]!.body)).toEqual({
      text: `Quire task <https://quire.example.com/tasks/${taskId}|Look &lt;here&gt; &amp; there> in tiny: *completed* · 0 files +0 −0`,
    });
  }, 90_000);
});

/**
 * Forged webhooks against `quire serve` (the unauthenticated client of docs/security.md): the
 * webhook routes take no Quire credential, so the signature is all that stands between anyone on
 * the network and a task. Unsigned, wrongly signed, re-used signatures over other bytes and a
 * replayed delivery start nothing more than the one genuine delivery did; Quire's own reply, fed
 * back as a comment, starts nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../../packages/server/testing/forges.js";
import { commentEvent, sendWebhook, webhookHeaders } from "../../packages/server/testing/webhooks.js";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";
import { api, startServe, type ServeProcess } from "../helpers/server.js";

const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const SECRET = "the-real-secret";
const writer = { login: "wanda", id: 1, access: "write" as const };

describe("forged forge webhooks", () => {
  it("start one task for one genuine delivery, and nothing for forgeries, replays or Quire's own words", async () => {
    const bare = mkdtempSync(path.join(os.tmpdir(), "quire-sec-forge-"));
    execFileSync("git", ["init", "--quiet", "--bare", bare]);
    const forge: TestForge = await startTestForge({
      kind: "github",
      token: "t",
      project: "acme/app",
      gitDir: bare,
      users: [writer],
    });
    running.push({ stop: () => forge.close() });
    const home = tempHome();
    writeFileSync(path.join(home, "config.toml"), `[forges.github]\napi_url = "${forge.url}"\n`);
    const env = {
      ...providerEnv("openai", "http://127.0.0.1:9/v1"),
      GITHUB_TOKEN: "t",
      QUIRE_GITHUB_WEBHOOK_SECRET: SECRET,
    };
    const server: ServeProcess = await startServe({ home, env, args: ["--workers", "0"] });
    running.push(server);
    const registered = await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", {
      name: "app",
      source: makeRepo({ "a.txt": "a\n" }),
      forge: { kind: "github", repo: "acme/app" },
    });
    const tasks = async () =>
      (await api<{ tasks: unknown[] }>(`${server.url}/api/tasks?repo=${registered.body.repository.id}`, "GET")).body
        .tasks;
    const event = (comment: string, number: number) =>
      commentEvent("github", {
        project: "acme/app",
        number,
        onPullRequest: false,
        title: "t",
        comment,
        author: writer,
      });

    const genuine = { ...event("@quire do the thing", 1), secret: SECRET, deliveryId: "genuine-1" };
    const body = JSON.stringify(genuine.payload);
    const attempts: Promise<number>[] = [
      sendWebhook(server.url, "github", { ...event("@quire unsigned", 2) }).then((r) => r.status),
      sendWebhook(server.url, "github", { ...event("@quire guessed", 3), secret: "guess" }).then((r) => r.status),
      // The genuine signature, on other bytes.
      fetch(`${server.url}/api/forges/github/webhook`, {
        method: "POST",
        headers: webhookHeaders("github", body, { event: "issue_comment", secret: SECRET, deliveryId: "genuine-2" }),
        body: JSON.stringify(event("@quire something else", 4).payload),
      }).then((r) => r.status),
    ];
    expect(await Promise.all(attempts)).toEqual([401, 401, 401]);
    expect((await sendWebhook(server.url, "github", genuine)).status).toBe(202);
    const started = await waitFor(() => forge.comments.find((c) => c.body.includes("Quire started")));
    expect((await sendWebhook(server.url, "github", genuine)).status).toBe(200);
    // Quire's own reply, posted back as a comment (a bot loop), mentions nobody.
    expect((await sendWebhook(server.url, "github", { ...event(started.body, 5), secret: SECRET })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await tasks()).toHaveLength(1);
    expect(forge.comments).toHaveLength(1);
  }, 60_000);
});

async function waitFor<T>(read: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

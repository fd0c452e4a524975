/**
 * `quire serve` and the key that encrypts environment secrets at rest: made in Quire's home on
 * first start; a malformed QUIRE_SECRETS_KEY stops the start; a different key does not crash the
 * server or leak anything, the task that needs the secret fails saying why, and listing works.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, readTaskEvents, spawnQuire, startServe } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe("quire serve's secrets key", () => {
  it("refuses to start with a malformed QUIRE_SECRETS_KEY, saying what is wrong", async () => {
    const home = tempHome();
    const run = spawnQuire(["serve", "--port", "0"], {
      home,
      env: { ...providerEnv("openai", "http://127.0.0.1:9/v1"), QUIRE_SECRETS_KEY: "too-short" },
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain("quire serve: QUIRE_SECRETS_KEY is not a valid secrets key: it is not base64");
    expect(run.stderr()).toContain("openssl rand -base64 32");
    expect(readdirSync(home)).not.toContain("secrets.key");
  });

  it("makes secrets.key (0600) on first start; with another key, the task fails naming the secret and the server goes on", async () => {
    const home = tempHome();
    const model = await scriptedModel(() => ({ text: "done" }));
    const env = providerEnv("openai", model.url);
    const first = await startServe({ home, env, args: ["-m", "scripted-model"] });
    cleanups.push(() => first.stop());
    const keyFile = path.join(home, "secrets.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, "utf8")).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);

    const repo = makeRepo({ "a.txt": "a\n" });
    const registered = await api<{ repository: { id: string } }>(`${first.url}/api/repositories`, "POST", {
      name: "tiny",
      source: repo,
    });
    const environment = await api<{ environment: { id: string } }>(`${first.url}/api/environments`, "POST", {
      repo: registered.body.repository.id,
      name: "ci",
      definition: { setup: 'test -n "$TINY_TOKEN"', secrets: ["TINY_TOKEN"] },
    });
    const environmentId = environment.body.environment.id;
    const secret = `value-${randomBytes(8).toString("hex")}`;
    await api(`${first.url}/api/environments/${environmentId}/secrets/TINY_TOKEN`, "PUT", { value: secret });
    await first.stop();

    const second = await startServe({
      home,
      env: { ...env, QUIRE_SECRETS_KEY: randomBytes(32).toString("base64") },
      args: ["-m", "scripted-model"],
    });
    cleanups.push(() => second.stop());

    const listed = await api<{ environment: { secrets: { name: string; version: number }[] } }>(
      `${second.url}/api/environments/${environmentId}`,
      "GET",
    );
    expect(listed.status).toBe(200);
    expect(listed.body.environment.secrets).toMatchObject([{ name: "TINY_TOKEN", version: 1 }]);

    const created = await api<{ task: { id: string } }>(`${second.url}/api/tasks`, "POST", {
      repo: registered.body.repository.id,
      ref: "main",
      mode: "code",
      prompt: "anything",
      environment: environmentId,
    });
    expect(created.status).toBe(201);
    const events = await readTaskEvents(second.url, created.body.task.id);
    expect(events.at(-1)?.event).toMatchObject({
      type: "task.completed",
      status: "failed",
      reason: expect.stringMatching(
        /^environment ci: cannot decrypt secret TINY_TOKEN: it was stored with a different secrets key/,
      ),
    });
    expect(model.requests).toHaveLength(0);
    const everything = JSON.stringify(events) + second.stdout() + second.stderr();
    expect(everything).not.toContain(secret);
    expect((await api(`${second.url}/healthz`, "GET")).status).toBe(200);
    // Said at start, in the log (checked last: stdout and stderr are separate pipes).
    expect(second.stdout()).toContain("1 environment secret(s) were stored with a different secrets key");
  });
});

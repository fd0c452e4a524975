/**
 * No API key for the configured provider: `quire serve` warns at start (stderr and its log), says
 * so at `GET /api/model-status`, and refuses a task before queueing it; `quire exec` refuses at
 * once. A local OpenAI-compatible server needs no key. The web app's banner is in web-model-banner.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { api, startServe, type ServeProcess } from "../helpers/server.js";

const running: ServeProcess[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const OPENAI_HINT = "No API key for the openai provider: set OPENAI_API_KEY.";

it("quire exec refuses at once, saying what to set, and records no task", async () => {
  const home = tempHome();
  const run = await runQuire(["exec", "--provider", "openai", "-m", "m", "fix it"], {
    cwd: makeRepo(failingTestRepo),
    home,
  });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`quire exec: ${OPENAI_HINT}`);
  expect(run.stderr).toContain('set ANTHROPIC_API_KEY with provider = "anthropic"');
  expect(run.stderr).toContain('provider = "openai-chat" with base_url');
  expect(run.stderr).not.toMatch(/apiKey/);
  const tasks = path.join(home, "tasks");
  expect(existsSync(tasks) ? readdirSync(tasks) : []).toEqual([]);

  const anthropic = await runQuire(["exec", "--provider", "anthropic", "-m", "m", "fix it"], {
    cwd: makeRepo(failingTestRepo),
    home,
  });
  expect(anthropic.code).toBe(1);
  expect(anthropic.stderr).toContain("No API key for the anthropic provider: set ANTHROPIC_API_KEY.");
});

it("quire serve warns at start, reports the model not ready, and refuses a task before queueing it", async () => {
  const server = await startServe({ home: tempHome(), args: ["--provider", "openai", "-m", "m"] });
  running.push(server);
  expect(server.stderr()).toContain(`quire serve: warning: ${OPENAI_HINT}`);
  // The JSON log line says it too, for whoever reads the logs rather than the terminal.
  const logLine = server
    .stdout()
    .split("\n")
    .filter((line) => line.includes(OPENAI_HINT))
    .map((line) => JSON.parse(line) as { level: number });
  expect(logLine[0]?.level).toBe(40);

  const status = await api<{ model: { ready: boolean; provider: string; message: string } }>(
    `${server.url}/api/model-status`,
    "GET",
  );
  expect(status.status).toBe(200);
  expect(status.body.model).toMatchObject({ ready: false, provider: "openai", model: "m" });
  expect(status.body.model.message).toContain(OPENAI_HINT);

  const repository = await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", {
    name: "tiny",
    source: makeRepo(failingTestRepo),
  });
  const refused = await api<{ error: { message: string } }>(`${server.url}/api/tasks`, "POST", {
    repo: repository.body.repository.id,
    ref: "main",
    mode: "code",
    prompt: "fix the failing test",
  });
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toContain(OPENAI_HINT);
  const tasks = await api<{ tasks: unknown[] }>(`${server.url}/api/tasks`, "GET");
  expect(tasks.body.tasks).toEqual([]);
});

it("a local OpenAI-compatible server (config.toml, no key) is ready, with no warning", async () => {
  const home = tempHome();
  writeFileSync(
    path.join(home, "config.toml"),
    'provider = "openai-chat"\nmodel = "qwen"\nbase_url = "http://127.0.0.1:11434/v1"\n',
  );
  const server = await startServe({ home });
  running.push(server);
  const status = await api<{ model: { ready: boolean; message: string | null } }>(
    `${server.url}/api/model-status`,
    "GET",
  );
  expect(status.body.model).toMatchObject({ ready: true, provider: "openai-chat", message: null });
  expect(server.stderr()).not.toContain("warning");
});

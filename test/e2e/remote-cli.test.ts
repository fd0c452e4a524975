/**
 * The `quire` command against a real `quire serve` (issue 15, item 1): exec streaming a task's
 * events across a dropped connection, detach and wait, a follow-up, exit codes, tasks, logs, diff,
 * apply to a local checkout; with accounts: 401 without a token, login (0600), a 429 with its reset.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RecordedRequest, ScriptedReply } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { parseJsonl, providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, startServe } from "../helpers/server.js";
import { adminEnv, signedInToken } from "../helpers/server-tokens.js";
import { startDroppingProxy, type DroppingProxy } from "../helpers/web-proxy.js";

const scriptedModel = useScriptedModels();
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

/** Replies chosen by what the task was asked, so several tasks can share one scripted model. */
function byPrompt(request: RecordedRequest, turn: number): ScriptedReply {
  const text = requestText(request);
  if (text.includes("what does add do")) return { text: "It subtracts: add(2, 3) is -1." };
  if (text.includes("break please")) return { fault: { kind: "status", status: 400 } };
  // Slow enough that the stream is still live when the test cuts it.
  const fix: ScriptedReply[] = [
    { toolCalls: [{ name: "shell", arguments: { command: ["node", "test.js"] } }], delayMs: 1200 },
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }], delayMs: 1200 },
    { text: "Fixed `add` in src/add.js:2." },
    { text: "Also checked: nothing else to change." },
  ];
  return fix[turn] ?? { text: "done" };
}

function clone(source: string): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "quire-checkout-")), "tiny");
  execFileSync("git", ["clone", "--quiet", source, dir]);
  return dir;
}

async function waitForEvents(url: string, taskId: string, atLeast: number): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    const task = await api<{ task: { lastEventSeq: number } }>(`${url}/api/tasks/${taskId}`, "GET");
    if (task.body.task.lastEventSeq >= atLeast) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} did not reach ${atLeast} events`);
}

describe("quire against a single-user server", () => {
  it("execs with streamed events across a dropped stream, detaches and waits, follows up, applies, and exits as a local run", async () => {
    const model = await scriptedModel(perConversation((_key, turn, request) => byPrompt(request, turn)));
    const home = tempHome();
    const server = await startServe({ home, env: providerEnv("openai", model.url), args: ["-m", "scripted-model"] });
    running.push(server);
    const proxy: DroppingProxy = await startDroppingProxy(server.url);
    running.push({ stop: () => proxy.close() });
    const source = makeRepo(failingTestRepo);
    const registered = await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", {
      name: "tiny",
      source,
    });
    expect(registered.status).toBe(201);
    // A laptop's checkout whose remote is the registered repository; the client's own home is empty.
    const checkout = clone(source);
    const laptop = tempHome();
    const remote = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
      runQuire(args, { cwd: options.cwd ?? checkout, home: laptop, env: options.env });

    // exec --json through a proxy that cuts the stream mid-task: every event once, in order.
    const exec = remote(["exec", "--server", proxy.url, "--json", "fix the failing test"]);
    const taskId = await (async () => {
      for (let i = 0; i < 300; i += 1) {
        const { body } = await api<{ tasks: { id: string }[] }>(`${server.url}/api/tasks`, "GET");
        if (body.tasks[0]) return body.tasks[0].id;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("no task was created");
    })();
    await waitForEvents(server.url, taskId, 3);
    expect(proxy.dropAll()).toBeGreaterThan(0);
    const run = await exec;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const stored = await readTaskEvents(server.url, taskId);
    expect(run.events).toEqual(stored.map((entry) => entry.event));
    expect(run.events.at(-1)).toMatchObject({ type: "task.completed", status: "completed" });

    // The readable log for a follow-up; the final message on stdout.
    const followUp = await remote(["exec", "--server", server.url, "--resume", taskId, "anything else?"]);
    expect(followUp.code).toBe(0);
    expect(followUp.stderr).toContain("> anything else?");
    expect(followUp.stderr).not.toContain("> fix the failing test");
    expect(followUp.stderr).toContain(`task ${taskId} completed`);
    expect(followUp.stdout).toBe("Also checked: nothing else to change.\n");

    // Detach returns the id at once; wait ends with the task and its exit code.
    const detached = await remote(["exec", "--server", server.url, "--detach", "--mode", "ask", "what does add do?"]);
    expect(detached.code).toBe(0);
    const askId = detached.stdout.trim();
    expect(askId).toMatch(/^\S+$/);
    expect(askId).not.toBe(taskId);
    const waited = await remote(["wait", askId, "--server", server.url]);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toBe("It subtracts: add(2, 3) is -1.\n");

    // A task that fails exits 1, as a local run does.
    const failed = await remote(["exec", "--server", server.url, "--mode", "ask", "break please"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/task \S+ failed/);

    const env = { QUIRE_SERVER: server.url };
    const listed = await remote(["tasks"], { env });
    expect(listed.code).toBe(0);
    for (const id of [taskId, askId]) expect(listed.stdout).toContain(id);
    const logs = await remote(["logs", taskId], { env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("$ node test.js");
    expect(logs.stdout).toContain("> anything else?");
    const diff = await remote(["diff", taskId], { env });
    expect(diff.stdout).toContain("-  return a - b;\n+  return a + b;");

    // Apply to the laptop's checkout, all or nothing; a second apply changes nothing.
    const applied = await remote(["apply", taskId], { env });
    expect(applied.code).toBe(0);
    expect(readFileSync(path.join(checkout, "src/add.js"), "utf8")).toContain("return a + b;");
    const again = await remote(["apply", taskId], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already applied");

    const missing = await remote(["diff", "no-such-task"], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("404");
  }, 300_000);
});

describe("quire against a server with accounts", () => {
  it("refuses without a token, logs in (0600), runs a task with the stored token, and says when the plan's limit resets", async () => {
    const model = await scriptedModel(perConversation((_key, turn, request) => byPrompt(request, turn)));
    const home = tempHome();
    writeFileSync(
      path.join(home, "plans.toml"),
      ['default_plan = "pro"', "[plans.pro]", 'models = ["*"]', "tasks_per_5h = 1", ""].join("\n"),
    );
    const source = makeRepo(failingTestRepo);
    const server = await startServe({
      home,
      env: {
        ...providerEnv("openai", model.url),
        ...adminEnv,
        QUIRE_LOCAL_SOURCE_ROOTS: source,
      },
      args: ["-m", "scripted-model", "--auth", "multi"],
    });
    running.push(server);
    const token = await signedInToken(server.url);
    const registered = await fetch(`${server.url}/api/repositories`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "tiny", source }),
    });
    expect(registered.status).toBe(201);
    const checkout = clone(source);
    const laptop = tempHome();
    const remote = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
      runQuire(args, { cwd: checkout, home: laptop, ...options });

    const refused = await remote(["tasks", "--server", server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/^quire tasks: 401 .*QUIRE_TOKEN/);

    const wrong = await remote(["login", "--server", server.url], { input: "quire_not-a-real-token\n" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("401");
    const login = await remote(["login", "--server", server.url], { input: `${token}\n` });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("admin@example.com");
    const file = path.join(laptop, "login.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ server: server.url, token });

    // No flags from here on: the stored server and token.
    const run = await remote(["exec", "--json", "fix the failing test"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.events[0]).toMatchObject({ type: "thread.started" });
    expect(run.events.at(-1)).toMatchObject({ type: "task.completed", status: "completed" });

    // The plan allows one task per 5 hours: the second is refused, with the limit and its reset time.
    const limited = await remote(["exec", "--mode", "ask", "what does add do?"]);
    expect(limited.code).toBe(1);
    const lines = limited.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^quire exec: 429 .*limit tasks_per_5h, 1 of 1 used, resets at \d{4}-\d\d-\d\dT[\d:.]+Z, retry in \d+ s\)$/,
    );

    // The stored token goes to its own server only.
    const elsewhere = await remote(["tasks", "--server", "http://127.0.0.1:9"]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("cannot reach the server at http://127.0.0.1:9");
    expect(parseJsonl(run.stdout).length).toBe(run.events.length);
  }, 300_000);
});

describe("quire exec --mode review against a server", () => {
  it("reviews a branch against --base (default: the default branch) or a task's result, and refuses a review of nothing", async () => {
    const verdict = {
      findings: [
        {
          title: "No test",
          body: "add has no test.",
          priority: 2,
          confidence: 0.6,
          path: "src/add.js",
          start_line: 2,
          end_line: 2,
        },
      ],
      overall: { verdict: "correct", explanation: "add is fixed." },
    };
    const reviewed: string[] = [];
    const model = await scriptedModel(
      perConversation((_key, turn, request) => {
        const text = requestText(request);
        if (!text.includes("What to flag")) return byPrompt(request, turn);
        reviewed.push(text);
        return { text: JSON.stringify(verdict) };
      }),
    );
    const server = await startServe({
      home: tempHome(),
      env: providerEnv("openai", model.url),
      args: ["-m", "scripted-model"],
    });
    running.push(server);
    const source = makeRepo(failingTestRepo);
    execFileSync("git", ["-C", source, "checkout", "--quiet", "-b", "fix"]);
    writeFileSync(
      path.join(source, "src/add.js"),
      readFileSync(path.join(source, "src/add.js"), "utf8").replace("a - b", "a + b"),
    );
    execFileSync("git", ["-C", source, "commit", "--quiet", "-am", "fix add"]);
    execFileSync("git", ["-C", source, "checkout", "--quiet", "main"]);
    expect((await api(`${server.url}/api/repositories`, "POST", { name: "tiny", source })).status).toBe(201);
    const checkout = clone(source);
    execFileSync("git", ["-C", checkout, "checkout", "--quiet", "fix"]);
    const laptop = tempHome();
    const remote = (args: string[]) => runQuire([...args, "--server", server.url], { cwd: checkout, home: laptop });

    // The checkout is on `fix`, which the server has: fix against main, the findings printed as `quire review` does.
    const review = await remote(["exec", "--mode", "review"]);
    expect(review.stderr).not.toContain("quire exec:");
    expect(review.code).toBe(0);
    expect(review.stdout).toContain("[P2] src/add.js:2  No test");
    expect(review.stdout).toContain("Verdict: correct");
    expect(reviewed.at(-1)).toContain("+  return a + b;");

    // Against itself there is nothing to review; base and review-of belong to a review only.
    const nothing = await remote(["exec", "--mode", "review", "--ref", "main"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^quire exec: nothing to review: .*--base/);
    const codeWithBase = await remote(["exec", "--base", "main", "fix the failing test"]);
    expect(codeWithBase.code).toBe(2);
    expect(codeWithBase.stderr).toContain("--base only go with --mode review");

    const local = await runQuire(["exec", "--mode", "review", "--base", "main"], { cwd: checkout, home: laptop });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain("--base needs a server");

    // A code task's result, reviewed by its id.
    const code = await remote(["exec", "--ref", "main", "--detach", "fix the failing test"]);
    const codeId = code.stdout.trim();
    expect((await remote(["wait", codeId])).code).toBe(0);
    const ofTask = await remote(["exec", "--mode", "review", "--review-of", codeId, "--json"]);
    expect(ofTask.code).toBe(0);
    expect(ofTask.events.at(-1)).toMatchObject({ type: "task.completed", status: "completed" });
    expect(reviewed).toHaveLength(2);
    expect(reviewed[1]).toContain("+  return a + b;");
  }, 300_000);
});

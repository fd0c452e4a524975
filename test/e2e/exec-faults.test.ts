import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";

const scriptedModel = useScriptedModels();

describe.each(["openai", "openai-chat", "anthropic"] as const)("faults over %s", (provider) => {
  it("retries 429 (honouring Retry-After), 500 and a cut stream; bad tool calls go back to the model; the task completes", async () => {
    const model = await scriptedModel([
      { fault: { kind: "status", status: 429, retryAfter: "1" } },
      { fault: { kind: "status", status: 500 } },
      { toolCalls: [{ name: "shell", arguments: '{"command": ["ls", ' }] },
      { fault: { kind: "cut" } },
      {
        toolCalls: [
          { name: "no_such_tool", arguments: {} },
          { name: "shell", arguments: { command: "ls" } },
        ],
      },
      { toolCalls: [{ name: "shell", arguments: { command: ["definitely-not-a-command-xyz"] } }] },
      { text: "done despite everything" },
    ]);
    const repo = makeRepo(failingTestRepo);
    const started = Date.now();
    const run = await runQuire(["exec", "--json", "--provider", provider, "-m", "m", "list files"], {
      cwd: repo,
      home: tempHome(),
      env: providerEnv(provider, model.url),
    });
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(model.requests).toHaveLength(7);

    // The invalid JSON arguments were reported to the model, which then carried on.
    expect(requestText(model.requests[4]!)).toMatch(/not valid JSON/);
    const sixth = requestText(model.requests[5]!);
    expect(sixth).toMatch(/Unknown tool \\?"no_such_tool\\?"/);
    expect(sixth).toMatch(/Invalid arguments for shell/);
    const seventh = requestText(model.requests[6]!);
    expect(seventh).toMatch(/Exit code: 127/);
    // Said as a shell says it, without the wrapper that sets the sandbox's limits.
    expect(seventh).toContain("definitely-not-a-command-xyz: command not found");
    expect(seventh).not.toMatch(/prlimit|execvp/);
    // The model was told which tools exist before it tried any.
    expect(requestText(model.requests[0]!)).toMatch(/<available_tools>[^<]*\bgit\b/);

    const final = run.events.at(-1);
    if (final?.type !== "task.completed") throw new Error("no task.completed event");
    expect(final.status).toBe("completed");
    expect(final.final_message).toBe("done despite everything");
  });
});

describe.each(["openai", "openai-chat", "anthropic"] as const)("a malformed reply over %s", (provider) => {
  it("is said once, in words, with none of the SDK's own output", async () => {
    const model = await scriptedModel([{ fault: { kind: "garbage" } }]);
    const run = await runQuire(["exec", "--provider", provider, "-m", "m", "hi"], {
      cwd: makeRepo(failingTestRepo),
      home: tempHome(),
      env: providerEnv(provider, model.url),
    });
    expect(run.code).toBe(1);
    expect(run.stderr.match(/the model's reply could not be read: /g)).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(`${provider} at http://127\\.0\\.0\\.1:\\d+\\S* sent data that is not valid JSON`),
    );
    expect(run.stderr).not.toMatch(/Could not parse message|From chunk/);
    expect(run.stderr).toMatch(/^task \S+ failed$/m);
    expect(run.stdout).toBe("");
  });
});

it("request_timeout_ms in config.toml bounds each model request", async () => {
  const model = await scriptedModel([{ text: "too late", delayMs: 10_000 }, { text: "on time" }]);
  const home = tempHome();
  writeFileSync(path.join(home, "config.toml"), "request_timeout_ms = 500\n");
  const started = Date.now();
  const run = await runQuire(["exec", "--provider", "openai", "-m", "m", "hi"], {
    cwd: makeRepo(failingTestRepo),
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/Request timed out; retry 1/);
  expect(run.stdout.trim()).toBe("on time");
  expect(Date.now() - started).toBeLessThan(9_000);
});

it("a model error that is not transient fails the task with a clear reason and exit code 1", async () => {
  const model = await scriptedModel([
    { fault: { kind: "status", status: 401, body: '{"error":{"message":"bad key"}}' } },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "hi"], {
    cwd: makeRepo(failingTestRepo),
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(1);
  expect(model.requests).toHaveLength(1);
  expect(run.events.some((e) => e.type === "turn.failed")).toBe(true);
  const final = run.events.at(-1);
  expect(final).toMatchObject({ type: "task.completed", status: "failed" });
  expect(JSON.stringify(final)).toMatch(/401|OPENAI_API_KEY/);
});

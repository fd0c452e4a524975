import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { QuireEvent, ThreadItem } from "@quire/core";
import { type ScriptedReply } from "@quire/testing";
import { describe, expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { parseJsonl, providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { isAppendOnlyExtension, requestText } from "../helpers/requests.js";

const fixScript: ScriptedReply[] = [
  {
    reasoning: "Run the tests to see the failure.",
    toolCalls: [
      {
        name: "update_plan",
        arguments: {
          plan: [
            { step: "Reproduce", status: "in_progress" },
            { step: "Fix add", status: "pending" },
          ],
        },
      },
      { name: "shell", arguments: { command: ["bash", "-lc", "node test.js"] } },
    ],
  },
  {
    text: "The subtraction is the bug; patching it.",
    toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }],
  },
  { toolCalls: [{ name: "shell", arguments: { command: ["node", "test.js"], timeout_ms: 20_000 } }] },
  { text: "Fixed `add` in src/add.js:2 (it subtracted). `node test.js` now passes." },
];

function items(events: QuireEvent[], type: ThreadItem["type"]): ThreadItem[] {
  return events.flatMap((event) => (event.type === "item.completed" && event.item.type === type ? [event.item] : []));
}

const scriptedModel = useScriptedModels();

describe.each(["openai", "openai-chat", "anthropic"] as const)("quire exec code task over %s", (provider) => {
  it("runs the failing test, patches, reruns, answers; the checkout is untouched and `quire apply` lands the diff", async () => {
    const model = await scriptedModel(fixScript);
    const repo = makeRepo(failingTestRepo);
    const home = tempHome();

    const run = await runQuire(
      ["exec", "--json", "--provider", provider, "-m", "scripted-model", "fix the failing test"],
      {
        cwd: repo,
        home,
        env: providerEnv(provider, model.url),
      },
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);

    const events = run.events;
    expect(events[0]).toMatchObject({ type: "thread.started" });
    expect(events[1]).toMatchObject({ type: "item.completed", item: { type: "user_message" } });
    expect(events[2]).toEqual({ type: "turn.started" });
    const commands = items(events, "command_execution") as Extract<ThreadItem, { type: "command_execution" }>[];
    expect(commands.map((c) => c.exit_code)).toEqual([1, 0]);
    expect(commands.map((c) => c.status)).toEqual(["failed", "completed"]);
    expect(commands[0]?.aggregated_output).toContain("FAIL: add(2, 3) = -1");
    expect(items(events, "file_change")).toEqual([
      expect.objectContaining({ status: "completed", changes: [{ path: "src/add.js", kind: "update" }] }),
    ]);
    expect(items(events, "todo_list")).toHaveLength(1);
    expect(items(events, "reasoning").length).toBeGreaterThan(0);

    const turnCompleted = events.find((e) => e.type === "turn.completed");
    expect(turnCompleted).toBeDefined();
    const final = events.at(-1);
    if (final?.type !== "task.completed") throw new Error("last event is not task.completed");
    expect(final.status).toBe("completed");
    expect(final.final_message).toContain("src/add.js:2");
    expect(final.diff).toContain("-  return a - b;\n+  return a + b;");
    expect(final.usage.model_calls).toBe(4);
    expect(final.usage.input_tokens).toBeGreaterThan(0);

    // The model saw the failing run's output, then the passing one.
    expect(model.requests).toHaveLength(4);
    // The sandbox shows the workspace at a neutral path; the model is told that one, not the host's.
    expect(requestText(model.requests[0]!)).toContain("<cwd>/workspace</cwd>");
    expect(requestText(model.requests[1]!)).toContain("FAIL: add(2, 3) = -1");
    expect(requestText(model.requests[3]!)).toContain("ok: 1 test passed");
    for (let i = 1; i < model.requests.length; i++) {
      expect(isAppendOnlyExtension(model.requests[i - 1]!, model.requests[i]!)).toBe(true);
    }

    // The user's checkout is untouched; the events are kept in the task folder.
    expect(readFileSync(path.join(repo, "src/add.js"), "utf8")).toBe(failingTestRepo["src/add.js"]);
    expect(git(repo, "status", "--porcelain")).toBe("");
    const eventsFile = path.join(home, "tasks", final.task_id, "events.jsonl");
    expect(parseJsonl(readFileSync(eventsFile, "utf8"))).toEqual(events);

    const diff = await runQuire(["diff", final.task_id], { cwd: repo, home });
    expect(diff.stdout).toBe(final.diff);
    const applied = await runQuire(["apply", final.task_id], { cwd: repo, home });
    expect(applied.code).toBe(0);
    expect(readFileSync(path.join(repo, "src/add.js"), "utf8")).toContain("return a + b;");
    expect(existsSync(path.join(repo, "src/add.js.orig"))).toBe(false);
  });
});

/**
 * Plans on a running `quire serve`: with a plans.toml in Quire's home, every model call is metered
 * and priced, and a task that reaches its plan's budget is stopped with the reason.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

describe("plans on quire serve", () => {
  it("meters each model call with its price and stops a task at its budget, saying why", async () => {
    const model = await scriptedModel(
      perConversation((_key, turn) =>
        turn < 10
          ? { toolCalls: [{ name: "shell", arguments: { command: ["echo", `turn ${turn}`] } }] }
          : { text: "done" },
      ),
    );
    const home = tempHome();
    // A dollar per input token: the first model call is already over a one-cent budget.
    writeFileSync(
      path.join(home, "plans.toml"),
      [
        'default_plan = "pro"',
        "[plans.pro]",
        'models = ["*"]',
        "max_task_cost_usd = 0.01",
        "[[prices]]",
        'model = "scripted-model"',
        "input = 1000000",
        "cached_input = 1000000",
        "output = 1000000",
        "",
      ].join("\n"),
    );
    const server = await startServe({ home, env: providerEnv("openai", model.url), args: ["-m", "scripted-model"] });
    running.push(server);
    const { body } = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      {
        name: "tiny",
        source: makeRepo(failingTestRepo),
      },
    );
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: body.repository.id,
      ref: body.repository.defaultBranch,
      mode: "ask",
      prompt: "keep going",
    });
    expect(created.status).toBe(201);
    const events = await readTaskEvents(server.url, created.body.task.id);
    const final = events.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "failed" });
    expect(String(final?.reason)).toMatch(/budget/);
    // Stopped long before the script ran out: at most a couple of model calls were made.
    expect(model.requests.length).toBeLessThan(4);

    const usage = await api<{ rows: { costUsd: number | null; inputTokens: number }[] }>(
      `${server.url}/api/usage?groupBy=task`,
      "GET",
    );
    expect(usage.status).toBe(200);
    const row = usage.body.rows?.[0];
    expect(row?.inputTokens).toBeGreaterThan(0);
    expect(row?.costUsd).toBeGreaterThan(0.01);
  });
});

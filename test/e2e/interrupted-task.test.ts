import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { until } from "@quire/testing";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";
import { parseJsonl, providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

it("a task whose process is killed mid-command keeps its events, shows as interrupted, and can be resumed", async () => {
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const model = await scriptedModel([
    { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-lc", "echo working; sleep 30"] } }] },
  ]);
  let pid = 0;
  const killed = runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "long job"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
    onSpawn: (child) => {
      pid = child;
    },
  });
  const eventsFile = await until(
    () => {
      const tasks = path.join(home, "tasks");
      const id = (() => {
        try {
          return readdirSync(tasks)[0];
        } catch {
          return undefined;
        }
      })();
      if (!id) return undefined;
      const file = path.join(tasks, id, "events.jsonl");
      try {
        const conversation = readFileSync(path.join(tasks, id, "conversation.json"), "utf8");
        const running =
          readFileSync(file, "utf8").includes('"command_execution"') && conversation.includes('"tool_call"');
        return running ? file : undefined;
      } catch {
        return undefined;
      }
    },
    "the task's first command",
    15_000,
  );
  process.kill(pid, "SIGKILL");
  const result = await killed;
  expect(result.code).toBeNull();
  const before = parseJsonl(readFileSync(eventsFile, "utf8"));
  expect(before.some((e) => e.type === "item.started" && e.item.type === "command_execution")).toBe(true);
  expect(before.some((e) => e.type === "task.completed")).toBe(false);
  const id = path.basename(path.dirname(eventsFile));

  const listed = JSON.parse((await runQuire(["tasks", "--json"], { cwd: repo, home })).stdout);
  expect(listed[0]).toMatchObject({ id, status: "failed", reason: expect.stringMatching(/^interrupted/) });

  const followUp = await scriptedModel([{ text: "resumed fine" }]);
  const resumed = await runQuire(["exec", "--json", "--resume", id, "--provider", "openai", "-m", "m", "go on"], {
    cwd: repo,
    home,
    env: providerEnv("openai", followUp.url),
  });
  expect(resumed.code).toBe(0);
  // The model got the whole conversation, the killed call closed with an explanation.
  const sent = requestText(followUp.requests[0]!);
  expect(sent).toContain("long job");
  expect(sent).toContain("aborted: the run stopped before this call finished");
  // Nothing written before the kill was lost.
  const after = parseJsonl(readFileSync(eventsFile, "utf8"));
  expect(after.slice(0, before.length)).toEqual(before);
  expect(after.at(-1)).toMatchObject({ type: "task.completed", status: "completed", final_message: "resumed fine" });
});

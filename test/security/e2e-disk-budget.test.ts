// A hostile model filling the disk through the built `quire exec --json`: the command is
// stopped at the environment's disk budget, the task fails with the reason in its events, and
// no later command of the same turn runs. Before, "disk limit exceeded" was a note after the
// command, the task went on, and the host kept every byte. Build first (`npm run build`).
import { rmSync } from "node:fs";
import type { QuireEvent } from "@quire/core";
import { afterEach, expect, it } from "vitest";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";

const scriptedModel = useScriptedModels();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const shellCall = (script: string) => ({ name: "shell", arguments: { command: ["bash", "-c", script] } });

it("a task that writes past its disk budget is stopped and fails, and says why", async () => {
  const model = await scriptedModel([
    {
      toolCalls: [
        shellCall("for i in $(seq 200); do head -c 1M /dev/zero > fill$i; done; echo wrote all"),
        shellCall("echo after > after.txt; echo AFTER-RAN"),
      ],
    },
    { text: "done" },
  ]);
  const repo = makeRepo({ ".quire/environment.toml": "[limits]\ndisk_mb = 8\n", "README.md": "hi\n" });
  const home = tempHome();
  dirs.push(repo, home);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fill the disk"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error(`no task.completed: ${run.stderr}`);
  expect(final.status).toBe("failed");
  expect(run.code).toBe(1);
  expect(model.requests).toHaveLength(1); // the task ended with the turn: no further model call

  const items = run.events.flatMap((event: QuireEvent) => (event.type === "item.completed" ? [event.item] : []));
  const commands = items.filter((item) => item.type === "command_execution");
  expect(commands[0]?.aggregated_output).not.toContain("wrote all");
  expect(commands.map((item) => item.aggregated_output).join("\n")).not.toContain("AFTER-RAN");
  const errors = items.filter((item) => item.type === "error").map((item) => item.message);
  expect(errors.join("\n")).toMatch(/disk limit exceeded: the workspace grew by .*past the 8 MiB allowed/);
  const failed = run.events.find((event) => event.type === "turn.failed");
  expect(JSON.stringify(failed)).toMatch(/disk limit exceeded/);
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import type { QuireEvent } from "@quire/core";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";

const scripted = useScriptedModels();

const userMessages = (events: QuireEvent[]) =>
  events.flatMap((event) =>
    event.type === "item.completed" && event.item.type === "user_message" ? [event.item.text] : [],
  );

it("each round opens with the person's words as a user_message item, before the round's other items", async () => {
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const first = await scripted([
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    { text: "fixed" },
  ]);
  const run1 = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fix add"], {
    cwd: repo,
    home,
    env: providerEnv("openai", first.url),
  });
  expect(run1.code).toBe(0);
  expect(run1.events[0]?.type).toBe("thread.started");
  expect(run1.events[1]).toMatchObject({ type: "item.completed", item: { type: "user_message", text: "fix add" } });
  const id = (run1.events.at(-1) as { task_id: string }).task_id;

  const second = await scripted([{ text: "noted" }]);
  const run2 = await runQuire(
    ["exec", "--json", "--resume", id, "--provider", "openai", "-m", "m", "now document it"],
    {
      cwd: repo,
      home,
      env: providerEnv("openai", second.url),
    },
  );
  expect(run2.code).toBe(0);
  expect(run2.events[1]).toMatchObject({
    type: "item.completed",
    item: { type: "user_message", text: "now document it" },
  });
  expect(userMessages(run2.events)).toEqual(["now document it"]);

  // The task's readable log (`quire exec` without --json) prints the person's words too.
  const third = await scripted([{ text: "done" }]);
  const run3 = await runQuire(["exec", "--resume", id, "--provider", "openai", "-m", "m", "and a changelog line"], {
    cwd: repo,
    home,
    env: providerEnv("openai", third.url),
  });
  expect(run3.code).toBe(0);
  expect(run3.stderr).toContain("> and a changelog line");

  // Storage keeps them in order, each ahead of its round's agent message.
  const stored = readFileSync(path.join(home, "tasks", id, "events.jsonl"), "utf8");
  const order = ["fix add", "fixed", "now document it", "noted", "and a changelog line", "done"].map((text) =>
    stored.indexOf(JSON.stringify(text)),
  );
  expect(order.every((at) => at >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});

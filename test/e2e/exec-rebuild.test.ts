import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import type { QuireEvent } from "@quire/core";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";

const scripted = useScriptedModels();

type Completed = Extract<QuireEvent, { type: "task.completed" }>;
const finalOf = (events: QuireEvent[]): Completed => events.at(-1) as Completed;
const outputs = (events: QuireEvent[]) =>
  events.flatMap((event) =>
    event.type === "item.completed" && event.item.type === "command_execution" ? [event.item.aggregated_output] : [],
  );

/** Round 1: the fix, plus a binary file written by a command. */
async function firstRound(repo: string, home: string): Promise<string> {
  const model = await scripted([
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    {
      toolCalls: [{ name: "shell", arguments: { command: ["sh", "-c", "printf '\\000\\001\\377quire' > blob.bin"] } }],
    },
    { text: "fixed" },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fix add"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  expect(finalOf(run.events).diff).toContain("GIT binary patch");
  return finalOf(run.events).task_id;
}

it("a follow-up after `quire gc` removed the workspace continues from the stored diff (binary file included)", async () => {
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const id = await firstRound(repo, home);

  const gc = await runQuire(["gc", "--older-than", "0"], { cwd: repo, home });
  expect(gc.code).toBe(0);
  expect(gc.stdout).toMatch(/removed .*1 workspace/);

  const addDoc = "*** Begin Patch\n*** Add File: NOTES.md\n+add() adds.\n*** End Patch";
  const model = await scripted([
    { toolCalls: [{ name: "shell", arguments: { command: ["sh", "-c", "cat src/add.js; od -An -c blob.bin"] } }] },
    { toolCalls: [{ name: "apply_patch", arguments: { input: addDoc } }] },
    { text: "noted" },
  ]);
  const run = await runQuire(["exec", "--json", "--resume", id, "--provider", "openai", "-m", "m", "document it"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  // The follow-up's first command sees round 1's work, the binary file byte for byte.
  const [seen] = outputs(run.events);
  expect(seen).toContain("return a + b;");
  expect(seen).toMatch(/\\0 +001 +377 +q +u +i +r +e/);

  const diff = await runQuire(["diff", id], { cwd: repo, home });
  expect(diff.stdout).toContain("+  return a + b;");
  expect(diff.stdout).toContain("+add() adds.");
  expect(diff.stdout).toContain("blob.bin");
  expect(diff.stdout).toContain("GIT binary patch");
});

it("a stored diff that no longer applies fails the follow-up with the reason and keeps the stored result", async () => {
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const id = await firstRound(repo, home);
  expect((await runQuire(["gc", "--older-than", "0"], { cwd: repo, home })).code).toBe(0);
  // A stored diff whose context is not in the base commit: it cannot be put back.
  const stored = path.join(home, "tasks", id, "diff.patch");
  const broken = readFileSync(stored, "utf8").replace("-  return a - b;", "-  return a * b;");
  writeFileSync(stored, broken);

  const model = await scripted([{ text: "should not be asked" }]);
  const run = await runQuire(["exec", "--json", "--resume", id, "--provider", "openai", "-m", "m", "go on"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(1);
  expect(model.requests).toHaveLength(0);
  const final = finalOf(run.events);
  expect(final.status).toBe("failed");
  expect(final.reason).toMatch(/stored diff does not apply to a fresh workspace/);
  expect(readFileSync(stored, "utf8")).toBe(broken);
  expect(final.diff).toBe(broken);
});

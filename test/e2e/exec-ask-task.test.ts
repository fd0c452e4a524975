import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, git, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";

const scriptedModel = useScriptedModels();

it("an ask task whose model tries to write is refused, leaves an empty diff and returns the answer", async () => {
  const writePatch = "*** Begin Patch\n*** Add File: pwned.txt\n+owned\n*** End Patch";
  const model = await scriptedModel([
    {
      toolCalls: [
        { name: "apply_patch", arguments: { input: writePatch } },
        { name: "shell", arguments: { command: ["bash", "-lc", "echo owned > pwned.txt; echo more >> src/add.js"] } },
        { name: "shell", arguments: { command: ["bash", "-lc", `apply_patch <<'EOF'\n${writePatch}\nEOF\n`] } },
        { name: "shell", arguments: { command: ["grep", "-n", "return", "src/add.js"] } },
      ],
    },
    { text: "`add` subtracts instead of adding: src/add.js:2." },
  ]);
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();

  const run = await runQuire(
    ["exec", "--json", "--mode", "ask", "--provider", "openai", "-m", "m", "why does the test fail?"],
    {
      cwd: repo,
      home,
      env: providerEnv("openai", model.url),
    },
  );
  expect(run.code).toBe(0);

  // Ask mode offers no write tool.
  const tools = (model.requests[0]!.body as { tools: { name: string }[] }).tools.map((tool) => tool.name);
  expect(tools).toContain("shell");
  expect(tools).not.toContain("apply_patch");

  // Each write attempt came back to the model as a refusal or a failure; the read worked.
  const secondRequest = requestText(model.requests[1]!);
  expect(secondRequest).toMatch(/read-only/i);
  expect(secondRequest).toContain("2:  return a - b;");

  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error("no task.completed event");
  expect(final.status).toBe("completed");
  expect(final.diff).toBe("");
  expect(final.final_message).toContain("src/add.js:2");
  // Nothing was written in the task's copy-on-write layer either.
  const upper = path.join(home, "tasks", final.task_id, "upper");
  expect(existsSync(path.join(upper, "pwned.txt"))).toBe(false);
  expect(existsSync(path.join(upper, "src/add.js"))).toBe(false);
  expect(git(repo, "status", "--porcelain")).toBe("");

  // Without --json the answer is what stdout carries; the log notes edits the task cannot see.
  writeFileSync(path.join(repo, "test.js"), "// local edit\n");
  const model2 = await scriptedModel([{ text: "It subtracts: src/add.js:2." }]);
  const plain = await runQuire(["exec", "--mode", "ask", "--provider", "openai", "-m", "m", "why?"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model2.url),
  });
  expect(plain.code).toBe(0);
  expect(plain.stdout).toBe("It subtracts: src/add.js:2.\n");
  expect(plain.stderr).toContain("completed");
  expect(plain.stderr).toMatch(/uncommitted changes; the task starts from HEAD/);
});

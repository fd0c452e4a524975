/**
 * A task that fails while its workspace is prepared (here: a failing maintenance script, after the
 * overlay is mounted) leaves no mount behind once `quire exec` has exited.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { git, makeRepo, writeFiles } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

const mountsUnder = (dir: string): string[] =>
  readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((mountPoint) => mountPoint.startsWith(dir));

it("a failing maintenance script fails the task and leaves no mount behind", async () => {
  const repo = makeRepo({ ".quire/environment.toml": 'maintenance = "echo broken; exit 3"\n', "README.md": "hi\n" });
  const home = tempHome();
  const first = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "look"], {
    cwd: repo,
    home,
    env: providerEnv("openai", (await scriptedModel([{ text: "ok" }])).url),
  });
  expect(first.code).toBe(0);

  // A new commit: the cached snapshot is reused and the maintenance script runs (and fails).
  writeFiles(repo, { "README.md": "hi again\n" });
  git(repo, "commit", "--quiet", "-am", "again");
  const model = await scriptedModel([{ text: "should not be asked" }]);
  const second = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "look again"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(second.code).toBe(1);
  expect(model.requests).toHaveLength(0);
  expect(second.events.at(-1)).toMatchObject({ type: "task.completed", status: "failed" });
  expect(JSON.stringify(second.events.at(-1))).toMatch(/preparing the workspace failed/);
  expect(mountsUnder(home)).toEqual([]);
});

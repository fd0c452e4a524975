import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";

const scriptedModel = useScriptedModels();

async function fixTask(repo: string, home: string): Promise<string> {
  const addNotes = "*** Begin Patch\n*** Add File: NOTES.md\n+notes\n*** End Patch";
  const model = await scriptedModel([
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    { toolCalls: [{ name: "apply_patch", arguments: { input: addNotes } }] },
    { text: "fixed" },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fix add"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error("no task.completed");
  return final.task_id;
}

it("`quire tasks` lists tasks; `quire apply` refuses a conflicting checkout and changes nothing", async () => {
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const id = await fixTask(repo, home);

  const list = await runQuire(["tasks"], { cwd: repo, home });
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(new RegExp(`^${id}\\s+completed\\s+code .*\\+2/-1\\s+fix add`, "m"));
  const json = JSON.parse((await runQuire(["tasks", "--json"], { cwd: repo, home })).stdout);
  expect(json[0]).toMatchObject({ id, status: "completed", mode: "code", prompts: ["fix add"] });

  // The user changed the same line meanwhile: the diff cannot apply, and NOTES.md must not appear either.
  writeFileSync(path.join(repo, "src/add.js"), "export function add(a, b) {\n  return b - a;\n}\n");
  const conflicted = await runQuire(["apply", id.slice(0, 8)], { cwd: repo, home });
  expect(conflicted.code).toBe(1);
  expect(conflicted.stderr).toMatch(/does not apply cleanly.*nothing was changed/s);
  expect(readFileSync(path.join(repo, "src/add.js"), "utf8")).toContain("return b - a;");
  expect(git(repo, "status", "--porcelain", "--untracked-files=all")).toBe(" M src/add.js\n");

  const unknown = await runQuire(["diff", "zzzz"], { cwd: repo, home });
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/no task zzzz/);
});

it("`quire apply-patch` applies from a file or stdin, prints A/M/D/R lines, and fails cleanly", async () => {
  const dir = makeRepo({ "a.txt": "one\ntwo\n", "old.txt": "move me\n", "gone.txt": "bye\n" });
  const patch = [
    "*** Begin Patch",
    "*** Add File: new/b.txt",
    "+hello",
    "*** Update File: a.txt",
    "@@",
    " one",
    "-two",
    "+2",
    "*** Update File: old.txt",
    "*** Move to: moved/old.txt",
    "@@",
    "-move me",
    "+moved",
    "*** Delete File: gone.txt",
    "*** End Patch",
  ].join("\n");
  const patchFile = path.join(os.tmpdir(), `quire-${process.pid}.patch`);
  writeFileSync(patchFile, patch);
  const run = await runQuire(["apply-patch", "-C", dir, patchFile], { cwd: os.tmpdir(), home: tempHome() });
  expect(run.code).toBe(0);
  expect(run.stdout.split("\n").filter(Boolean).sort()).toEqual(
    ["A new/b.txt", "M a.txt", "R old.txt -> moved/old.txt", "D gone.txt"].sort(),
  );
  expect(readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("one\n2\n");
  expect(readFileSync(path.join(dir, "moved/old.txt"), "utf8")).toBe("moved\n");

  const bad = "*** Begin Patch\n*** Update File: a.txt\n@@\n-not there\n+x\n*** End Patch";
  const failed = await runQuire(["apply-patch"], { cwd: dir, home: tempHome(), input: bad });
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toMatch(/a\.txt/);
  expect(readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("one\n2\n");

  const hostile = "*** Begin Patch\n*** Add File: ../escape.txt\n+x\n*** End Patch";
  const refused = await runQuire(["apply-patch"], { cwd: dir, home: tempHome(), input: hostile });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/refused/i);
});

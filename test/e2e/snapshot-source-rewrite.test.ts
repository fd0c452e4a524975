// A cached snapshot must not depend on the user's repository staying as it was: history is
// rewritten and pruned there all the time (amend, rebase, gc). And the sandbox never learns where
// the user's checkout is: the snapshot's objects are its own, so nothing of the checkout is bound in.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { QuireEvent, ThreadItem } from "@quire/core";
import { type ScriptedReply } from "@quire/testing";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { git, makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

const environmentToml = 'setup = "echo made-by-setup > .setup-made"\n';

function commandOutputs(events: QuireEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === "item.completed" && e.item.type === "command_execution"
      ? [(e.item as Extract<ThreadItem, { type: "command_execution" }>).aggregated_output]
      : [],
  );
}

async function runTask(repo: string, home: string, replies: ScriptedReply[]) {
  const model = await scriptedModel(replies);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "work"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error(`no task.completed: ${run.stderr}\n${run.stdout}`);
  return { run, final };
}

const shell = (command: string): ScriptedReply => ({
  toolCalls: [{ name: "shell", arguments: { command: ["bash", "-lc", command] } }],
});

/** Rewrites the source's last commit and drops every trace of the old one. */
function rewriteAndPrune(repo: string, file: string, content: string): void {
  writeFileSync(path.join(repo, file), content);
  git(repo, "add", "--all");
  git(repo, "commit", "--quiet", "--amend", "-m", "rewritten");
  git(repo, "reflog", "expire", "--expire=now", "--all");
  git(repo, "gc", "--quiet", "--prune=now");
}

it("a task on a cached snapshot succeeds after the source's history was rewritten and pruned", async () => {
  const repo = makeRepo({ ".quire/environment.toml": environmentToml, "README.md": "first\n" });
  const home = tempHome();
  const first = await runTask(repo, home, [{ text: "done" }]);
  expect(first.run.code).toBe(0);
  const oldCommit = git(repo, "rev-parse", "HEAD").trim();

  rewriteAndPrune(repo, "README.md", "second\n");
  expect(() => git(repo, "cat-file", "-e", oldCommit)).toThrow();

  const second = await runTask(repo, home, [shell("cat README.md .setup-made"), { text: "done" }]);
  expect(second.run.stderr).not.toMatch(/would be overwritten/);
  expect(second.run.code, second.run.stdout.slice(-600)).toBe(0);
  expect(second.final.status).toBe("completed");
  // The workspace is the rewritten commit, prepared by the environment.
  expect(commandOutputs(second.run.events).at(-1)).toBe("second\nmade-by-setup\n");
});

it("the sandbox is told nothing of the user's checkout: not in the mount table, not as alternates", async () => {
  const repo = makeRepo({ ".quire/environment.toml": environmentToml, "README.md": "first\n" });
  const home = tempHome();
  const probe = "cat /proc/self/mountinfo; cat .git/objects/info/alternates 2>/dev/null; git log --oneline | wc -l";
  await runTask(repo, home, [{ text: "done" }]);
  // A second commit: the cached snapshot is at the first, so the task's commit must reach it.
  writeFileSync(path.join(repo, "README.md"), "second\n");
  git(repo, "commit", "--quiet", "-am", "second");
  const task = await runTask(repo, home, [shell(probe), { text: "done" }]);
  expect(task.run.code).toBe(0);
  const output = commandOutputs(task.run.events).at(-1) ?? "";
  expect(output).toMatch(/ \/workspace /); // the control: the mount table was read
  expect(output.trim().split("\n").at(-1)).toBe("2"); // and the history is whole
  expect(output).not.toContain(repo);
  expect(output).not.toContain(path.basename(repo));
});

it("quire gc removes a snapshot whose objects are gone, however fresh", async () => {
  const repo = makeRepo({ ".quire/environment.toml": environmentToml, "README.md": "first\n" });
  const home = tempHome();
  await runTask(repo, home, [{ text: "done" }]);
  const [workspaceDir] = readdirSync(path.join(home, "envs")).map((name) => path.join(home, "envs", name));
  const [envDir] = readdirSync(workspaceDir!).map((name) => path.join(workspaceDir!, name));
  const [good] = readdirSync(envDir!);
  // A snapshot as Quire used to make them, borrowing the source's objects (`clone --shared`).
  const oldCommit = git(repo, "rev-parse", "HEAD").trim();
  const borrowed = path.join(envDir!, "0".repeat(40));
  mkdirSync(borrowed);
  execFileSync("git", ["clone", "--quiet", "--shared", repo, path.join(borrowed, "snapshot")]);
  const meta = {
    envKey: path.basename(envDir!),
    commit: oldCommit,
    baseTree: "x",
    repo,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(path.join(borrowed, "meta.json"), JSON.stringify(meta));
  rewriteAndPrune(repo, "README.md", "second\n");

  const gc = await runQuire(["gc"], { cwd: repo, home });
  expect(gc.code).toBe(0);
  expect(gc.stdout).toContain(`removed snapshot ${borrowed}`);
  expect(existsSync(borrowed)).toBe(false);
  // The self-contained snapshot is whole and fresh: kept.
  expect(existsSync(path.join(envDir!, good!))).toBe(true);
});

it("a snapshot that borrows the source's objects is not reused: the environment is set up anew", async () => {
  const repo = makeRepo({ ".quire/environment.toml": environmentToml, "README.md": "first\n" });
  const home = tempHome();
  await runTask(repo, home, [{ text: "done" }]);
  const [workspaceDir] = readdirSync(path.join(home, "envs")).map((name) => path.join(home, "envs", name));
  const [envDir] = readdirSync(workspaceDir!).map((name) => path.join(workspaceDir!, name));
  const [commitDir] = readdirSync(envDir!).map((name) => path.join(envDir!, name));
  // As Quire used to make it: a `--shared` clone, reading its objects from the user's checkout.
  rmSync(path.join(commitDir!, "snapshot"), { recursive: true });
  execFileSync("git", ["clone", "--quiet", "--shared", repo, path.join(commitDir!, "snapshot")]);

  const task = await runTask(repo, home, [shell("cat README.md .setup-made"), { text: "done" }]);
  expect(task.run.code).toBe(0);
  const items = task.run.events.flatMap((e) => (e.type === "item.completed" ? [e.item] : []));
  expect(items.some((item) => item.type === "command_execution" && item.command === "setup script")).toBe(true);
  expect(commandOutputs(task.run.events).at(-1)).toBe("first\nmade-by-setup\n");
  expect(existsSync(path.join(commitDir!, "snapshot", ".git", "objects", "info", "alternates"))).toBe(false);
});

/**
 * The CLI's answers to a wrong directory or output path (exit 2, a plain message, no task record
 * and no model call), to applying a diff twice, and to the task id a server's web app shows.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const fixReplies = [{ toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] }, { text: "fixed" }];
const taskDirs = (home: string): string[] =>
  existsSync(path.join(home, "tasks")) ? readdirSync(path.join(home, "tasks")) : [];

describe("quire exec with a wrong directory or output path", () => {
  it("exits 2 before anything runs: no model call, no task record", async () => {
    const model = await scriptedModel(fixReplies);
    const home = tempHome();
    const repo = makeRepo(failingTestRepo);
    const notGit = mkdtempSync(path.join(os.tmpdir(), "quire-plain-"));
    const env = providerEnv("openai", model.url);
    const exec = (args: string[], cwd = repo) =>
      runQuire(["exec", "--provider", "openai", "-m", "m", ...args, "fix add"], { cwd, home, env });

    const missing = await exec(["-C", "/nonexistent/quire-dir"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/quire-dir does not exist");
    const plain = await exec(["-C", notGit]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(`${notGit} is not inside a git repository`);
    const here = await exec([], notGit);
    expect(here.code).toBe(2);
    expect(here.stderr).toContain("is not inside a git repository");

    const badOutput = await exec(["-o", "/nonexistent/quire-out/last.txt"]);
    expect(badOutput.code).toBe(2);
    expect(badOutput.stderr).toContain("/nonexistent/quire-out does not exist");
    const directoryOutput = await exec(["-o", notGit]);
    expect(directoryOutput.code).toBe(2);
    expect(directoryOutput.stderr).toContain(`${notGit} is a directory`);

    expect(model.requests).toHaveLength(0);
    expect(taskDirs(home)).toEqual([]);
    expect(git(repo, "status", "--porcelain")).toBe("");

    // The same output path that is fine runs and writes.
    const out = path.join(notGit, "last.txt");
    const ok = await exec(["-o", out]);
    expect(ok.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("fixed");
  });
});

describe("quire apply", () => {
  it("says a missing -C directory does not exist, and that an applied diff is already applied", async () => {
    const model = await scriptedModel(fixReplies);
    const home = tempHome();
    const repo = makeRepo(failingTestRepo);
    const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fix add"], {
      cwd: repo,
      home,
      env: providerEnv("openai", model.url),
    });
    expect(run.code).toBe(0);
    const id = taskDirs(home)[0]!;

    const missing = await runQuire(["apply", id, "-C", "/nonexistent/quire-checkout"], { cwd: repo, home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/quire-checkout does not exist");
    expect(missing.stderr).not.toMatch(/ENOENT|spawn/);

    const applied = await runQuire(["apply", id], { cwd: repo, home });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/applied task/);
    const again = await runQuire(["apply", id], { cwd: repo, home });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already applied/);
    expect(again.stderr).not.toMatch(/does not apply/);
    expect(readFileSync(path.join(repo, "src/add.js"), "utf8")).toContain("return a + b;");
    expect(git(repo, "status", "--porcelain")).toBe(" M src/add.js\n");
  });

  it("takes the task id a server's web app shows, on the server's home", async () => {
    const model = await scriptedModel(fixReplies);
    const home = tempHome();
    const server = await startServe({ home, env: providerEnv("openai", model.url), args: ["-m", "scripted-model"] });
    running.push(server);
    const source = makeRepo(failingTestRepo);
    const registered = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      { name: "tiny", source },
    );
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: registered.body.repository.id,
      ref: registered.body.repository.defaultBranch,
      mode: "code",
      prompt: "fix add",
    });
    const taskId = created.body.task.id;
    const events = await readTaskEvents(server.url, taskId);
    expect(events.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });
    // The web app's URL is /tasks/<taskId>; the home's task store is keyed by attempt.
    expect(taskDirs(home)).not.toContain(taskId);

    const diff = await runQuire(["diff", taskId], { cwd: os.tmpdir(), home });
    expect(diff.stderr).toBe("");
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("+  return a + b;");
    const checkout = mkdtempSync(path.join(os.tmpdir(), "quire-checkout-"));
    git(checkout, "clone", "--quiet", source, ".");
    const applied = await runQuire(["apply", taskId, "-C", checkout], { cwd: os.tmpdir(), home });
    expect(applied.code).toBe(0);
    expect(readFileSync(path.join(checkout, "src/add.js"), "utf8")).toContain("return a + b;");
    const unknown = await runQuire(["diff", "zzzznotatask"], { cwd: os.tmpdir(), home });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no task zzzznotatask/);
  });
});

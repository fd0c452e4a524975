import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import {
  BranchExistsError,
  deliver,
  DeliveryError,
  DiffDoesNotApplyError,
  forgesFromEnv,
  type DeliverOptions,
} from "./index.js";

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

/** A source repository whose `origin` is a local bare repository, and a git-made diff against it. */
function fixture() {
  const source = makeRepo(
    { "src/add.js": "export const add = (a, b) => a - b;\n", "old.md": "moves\n", "gone.txt": "bye\n" },
    "quire-deliver-src-",
  );
  cleanup.push(source);
  const remote = path.join(tempDir("quire-deliver-remote-"), "widgets.git");
  git(path.dirname(remote), "init", "--quiet", "--bare", remote);
  git(source, "remote", "add", "origin", remote);
  git(source, "push", "--quiet", "origin", "main");
  const base = git(source, "rev-parse", "HEAD").trim();

  const work = tempDir("quire-deliver-work-");
  git(work, "clone", "--quiet", source, ".");
  writeFiles(work, { "src/add.js": "export const add = (a, b) => a + b;\n", "src/sub.js": "export const sub = 1;\n" });
  git(work, "rm", "--quiet", "gone.txt");
  git(work, "mv", "old.md", "new.md");
  git(work, "add", "--all");
  const diff = git(work, "diff", "--cached", "-M", base);

  const options: DeliverOptions = {
    sourceRepo: source,
    baseCommit: base,
    diff,
    branch: "quire/fix-add",
    title: "Fix add",
    body: "It subtracted.",
    author: { name: "Quire Bot", email: "bot@quire.example" },
    baseBranch: "main",
    forges: forgesFromEnv({}),
    workDir: tempDir("quire-deliver-scratch-"),
  };
  return { source, remote, base, diff, options };
}

const branchesOf = (remote: string) => git(remote, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads");

describe("deliver: the push", () => {
  it("pushes a commit holding exactly the diff to origin as a new branch, by the author", async () => {
    const { source, remote, base, diff, options } = fixture();
    const before = git(source, "for-each-ref") + git(source, "status", "--porcelain");

    const result = await deliver(options);

    expect(git(remote, "rev-parse", "refs/heads/quire/fix-add").trim()).toBe(result.commit);
    expect(git(remote, "diff", "-M", base, "quire/fix-add")).toBe(diff);
    expect(git(remote, "rev-parse", "quire/fix-add^").trim()).toBe(base);
    expect(git(remote, "log", "-1", "--format=%an|%ae|%cn|%ce", "quire/fix-add").trim()).toBe(
      "Quire Bot|bot@quire.example|Quire Bot|bot@quire.example",
    );
    expect(git(remote, "log", "-1", "--format=%B", "quire/fix-add").trim()).toBe("Fix add\n\nIt subtracted.");
    expect(git(remote, "diff", "--name-status", "-M", base, "quire/fix-add")).toBe(
      "D\tgone.txt\nR100\told.md\tnew.md\nM\tsrc/add.js\nA\tsrc/sub.js\n",
    );
    expect(result).toEqual({
      branch: "quire/fix-add",
      commit: result.commit,
      commits: [result.commit],
      updated: false,
      remote,
      message: expect.stringContaining(
        `Pushed the branch "quire/fix-add" (${result.commit.slice(0, 12)}) to ${remote}.`,
      ),
    });
    expect(result.pullRequest).toBeUndefined();
    expect(git(source, "for-each-ref") + git(source, "status", "--porcelain")).toBe(before);
  });

  it("pushes to remoteUrl when given instead of origin", async () => {
    const { remote, options } = fixture();
    const other = path.join(tempDir("quire-deliver-other-"), "mirror.git");
    git(path.dirname(other), "init", "--quiet", "--bare", other);

    const result = await deliver({ ...options, remoteUrl: other });

    expect(git(other, "rev-parse", "quire/fix-add").trim()).toBe(result.commit);
    expect(branchesOf(remote)).not.toContain("quire/fix-add");
  });

  it("pushes nothing when the diff does not apply", async () => {
    const { remote, diff, options } = fixture();
    const stale = diff.replace("-export const add = (a, b) => a - b;", "-export const add = (a, b) => a * b;");

    await expect(deliver({ ...options, diff: stale })).rejects.toBeInstanceOf(DiffDoesNotApplyError);

    expect(branchesOf(remote)).not.toContain("quire/fix-add");
  });

  it("refuses to move a branch that exists on the remote, even where a push would fast-forward", async () => {
    const { remote, base, options } = fixture();
    git(remote, "update-ref", "refs/heads/quire/fix-add", base);

    const error = await deliver(options).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BranchExistsError);
    expect((error as Error).message).toContain(
      `the branch "quire/fix-add" already exists on ${remote} at ${base.slice(0, 12)}`,
    );
    expect((error as Error).message).toContain("refusing to overwrite it");
    expect(git(remote, "rev-parse", "quire/fix-add").trim()).toBe(base);
  });

  it("accepts a branch already at the same commit: a retry with the same date changes nothing", async () => {
    const { remote, options } = fixture();
    const date = new Date("2026-03-04T05:06:07Z");
    const first = await deliver({ ...options, date });

    const again = await deliver({ ...options, date, workDir: tempDir("quire-deliver-scratch-") });

    expect(again.commit).toBe(first.commit);
    expect(again.message).toContain(
      `The branch "quire/fix-add" was already at ${first.commit.slice(0, 12)} on ${remote}`,
    );
    expect(git(remote, "rev-parse", "quire/fix-add").trim()).toBe(first.commit);
  });

  it("rejects a branch name git would refuse or read as an option, before pushing anything", async () => {
    const { remote, options } = fixture();
    for (const branch of ["bad..name", "-delete", "with space", "ends.lock"]) {
      await expect(deliver({ ...options, branch })).rejects.toThrow(DeliveryError);
    }
    expect(branchesOf(remote)).toBe(`refs/heads/main ${git(remote, "rev-parse", "main").trim()}\n`);
  });

  it("runs none of the source repository's hooks or fsmonitor while reading its origin", async () => {
    const { source, options } = fixture();
    const marker = path.join(tempDir("quire-deliver-marker-"), "ran");
    const hook = path.join(source, ".git", "hooks", "reference-transaction");
    writeFileSync(hook, `#!/bin/sh\necho hook >> '${marker}'\n`, { mode: 0o755 });
    git(source, "config", "core.fsmonitor", hook);

    await deliver(options);
    expect(existsSync(marker)).toBe(false);
    // The planted hook is live for git used plainly: the check above can fail.
    git(source, "update-ref", "refs/heads/probe", "HEAD");
    expect(existsSync(marker)).toBe(true);
  });

  it("runs no command named by a remote-helper URL (ext::)", async () => {
    const { options } = fixture();
    const marker = path.join(tempDir("quire-deliver-marker-"), "ran");

    await expect(deliver({ ...options, remoteUrl: `ext::sh -c touch% ${marker}` })).rejects.toThrow(
      /transport 'ext' not allowed/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("says so when the source repository has no origin and no remote URL is given", async () => {
    const { source, options } = fixture();
    git(source, "remote", "remove", "origin");
    await expect(deliver(options)).rejects.toThrow(/has no "origin" remote to push to/);
  });
});

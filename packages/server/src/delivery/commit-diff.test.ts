import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import { commitDiff, DiffDoesNotApplyError, formatPatch } from "./index.js";

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

const files = {
  "README.md": "# demo\n",
  "src/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "docs/old-name.md": "a page\nthat moves\nunchanged\n",
  "obsolete.txt": "remove me\n",
};

/** A source repository, and a diff made by git itself: a change, a new file, a deletion and a rename. */
function sourceWithDiff(extra: Record<string, string> = {}) {
  const source = makeRepo({ ...files, ...extra }, "quire-delivery-src-");
  cleanup.push(source);
  const base = git(source, "rev-parse", "HEAD").trim();
  const work = tempDir("quire-delivery-work-");
  git(work, "clone", "--quiet", source, ".");
  writeFiles(work, {
    "src/add.js": files["src/add.js"].replace("a - b", "a + b"),
    "src/new.js": "export const x = 1;\n",
  });
  git(work, "rm", "--quiet", "obsolete.txt");
  git(work, "mv", "docs/old-name.md", "docs/new-name.md");
  git(work, "add", "--all");
  const diff = git(work, "diff", "--cached", "-M", base);
  const expectedTree = git(work, "write-tree").trim();
  return { source, base, diff, expectedTree };
}

const author = { name: "Quire Bot", email: "bot@quire.example" };

function scratchOf(workDir: string): string {
  const name = readdirSync(workDir).find((entry) => entry.startsWith("scratch-") && entry.endsWith(".git"));
  if (!name) throw new Error("no scratch repository in the work dir");
  return path.join(workDir, name);
}

/** Everything a git command could change in the source: refs, index, status, files. */
function snapshotOf(repo: string): string {
  const index = readFileSync(path.join(repo, ".git", "index"));
  return [
    git(repo, "for-each-ref"),
    git(repo, "status", "--porcelain", "--ignored"),
    createHash("sha256").update(index).digest("hex"),
    readdirSync(path.join(repo, ".git")).sort().join(","),
  ].join("\n");
}

describe("commitDiff", () => {
  it("makes a commit on the base whose tree is exactly the diff applied, by the given author", async () => {
    const { source, base, diff, expectedTree } = sourceWithDiff();
    const workDir = tempDir("quire-delivery-scratch-");
    const before = snapshotOf(source);

    const made = await commitDiff({
      sourceRepo: source,
      baseCommit: base,
      diff,
      message: "Fix add\n\nDetails.",
      author,
      workDir,
    });

    expect(made.tree).toBe(expectedTree);
    const scratch = scratchOf(workDir);
    const object = git(scratch, "cat-file", "-p", made.commit);
    expect(object).toContain(`tree ${expectedTree}\nparent ${base}\n`);
    expect(object).toMatch(
      /\nauthor Quire Bot <bot@quire\.example> \d+ \+0000\ncommitter Quire Bot <bot@quire\.example> /,
    );
    expect(object.endsWith("\n\nFix add\n\nDetails.\n")).toBe(true);
    expect(git(scratch, "diff", "-M", base, made.commit)).toBe(diff);
    // The source repository is only read.
    expect(snapshotOf(source)).toBe(before);
  });

  it("throws DiffDoesNotApplyError with git's message when the diff does not fit the base", async () => {
    const { source, base, diff } = sourceWithDiff();
    const stale = diff.replace("-  return a - b;", "-  return a * b;");
    const workDir = tempDir("quire-delivery-scratch-");

    const error = await commitDiff({
      sourceRepo: source,
      baseCommit: base,
      diff: stale,
      message: "m",
      author,
      workDir,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DiffDoesNotApplyError);
    expect((error as DiffDoesNotApplyError).gitMessage).toMatch(
      /patch failed: src\/add\.js|src\/add\.js: patch does not apply/,
    );
  });

  it("rejects garbage, an unknown base commit and an author that would forge commit headers", async () => {
    const { source, base, diff } = sourceWithDiff();
    const workDir = tempDir("quire-delivery-scratch-");
    const common = { sourceRepo: source, message: "m", author, workDir };

    await expect(commitDiff({ ...common, baseCommit: base, diff: "not a diff\n" })).rejects.toBeInstanceOf(
      DiffDoesNotApplyError,
    );
    await expect(commitDiff({ ...common, baseCommit: "0".repeat(40), diff })).rejects.toThrow(/is not in/);
    await expect(commitDiff({ ...common, baseCommit: "--output=x", diff })).rejects.toThrow(/must be a commit id/);
    await expect(
      commitDiff({ ...common, baseCommit: base, diff, author: { name: "Eve\ncommitter Mallory", email: "e@x" } }),
    ).rejects.toThrow(/author's name/);
  });

  it("reads neither the user's git configuration nor runs the source's hooks", async () => {
    const { source, base, diff } = sourceWithDiff();
    const marker = path.join(tempDir("quire-delivery-marker-"), "ran");
    const hooks = tempDir("quire-delivery-hooks-");
    for (const hook of ["reference-transaction", "post-checkout", "pre-push", "post-commit"]) {
      writeFileSync(path.join(hooks, hook), `#!/bin/sh\necho ${hook} >> '${marker}'\n`, { mode: 0o755 });
    }
    // What a hostile user configuration or repository could plant: hooks and an fsmonitor command.
    const globalConfig = path.join(tempDir("quire-delivery-home-"), ".gitconfig");
    writeFileSync(
      globalConfig,
      `[core]\n\thooksPath = ${hooks}\n\tfsmonitor = ${path.join(hooks, "post-commit")}\n` +
        // Harmless but visible, and not masked by Quire's own -c flags: shows whether the file was read at all.
        "[format]\n\tsignature = user-config-was-read\n",
    );
    git(source, "config", "core.hooksPath", hooks);
    const saved = { GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL };
    process.env.GIT_CONFIG_GLOBAL = globalConfig;
    try {
      const workDir = tempDir("quire-delivery-scratch-");
      await commitDiff({ sourceRepo: source, baseCommit: base, diff, message: "m", author, workDir });
      const patch = await formatPatch({ sourceRepo: source, baseCommit: base, diff, message: "m", author, workDir });
      expect(patch).not.toContain("user-config-was-read");
      expect(existsSync(marker)).toBe(false);
      // The same configuration does run hooks for git on its own: the check above can fail.
      git(source, "update-ref", "refs/heads/probe", base);
      expect(readFileSync(marker, "utf8")).toBe("reference-transaction\nreference-transaction\n");
    } finally {
      if (saved.GIT_CONFIG_GLOBAL === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved.GIT_CONFIG_GLOBAL;
    }
  });
});

describe("formatPatch", () => {
  it("gives git format-patch text that git am turns back into the same tree and author", async () => {
    const { source, base, diff, expectedTree } = sourceWithDiff();
    const workDir = tempDir("quire-delivery-scratch-");
    const date = new Date("2026-01-02T03:04:05Z");
    const options = { sourceRepo: source, baseCommit: base, diff, message: "Fix add\n\nBody.", author, workDir, date };

    const patch = await formatPatch(options);

    expect(patch).toMatch(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n/);
    expect(patch).toContain("From: Quire Bot <bot@quire.example>\n");
    expect(patch).toContain("Date: Fri, 2 Jan 2026 03:04:05 +0000\n");
    expect(patch).toContain("Subject: [PATCH] Fix add\n");
    // Same inputs and date, same workDir reused: the very same commit and text.
    expect(await formatPatch(options)).toBe(patch);

    const target = tempDir("quire-delivery-am-");
    git(target, "clone", "--quiet", source, ".");
    git(target, "checkout", "--quiet", base);
    const patchFile = path.join(target, "..", `${path.basename(target)}.patch`);
    writeFileSync(patchFile, patch);
    cleanup.push(patchFile);
    git(target, "am", "--quiet", patchFile);
    expect(git(target, "rev-parse", "HEAD^{tree}").trim()).toBe(expectedTree);
    expect(git(target, "log", "-1", "--format=%an <%ae>%n%B").trim()).toBe(
      "Quire Bot <bot@quire.example>\nFix add\n\nBody.",
    );
  });

  it("keeps one scratch repository per source repository in a shared work dir", async () => {
    const first = sourceWithDiff();
    const second = sourceWithDiff({ "other.txt": "another repository\n" });
    const workDir = tempDir("quire-delivery-scratch-");
    const common = { message: "m", author, workDir };
    const a = await commitDiff({ ...common, sourceRepo: first.source, baseCommit: first.base, diff: first.diff });
    const b = await commitDiff({ ...common, sourceRepo: second.source, baseCommit: second.base, diff: second.diff });
    expect(a.tree).toBe(first.expectedTree);
    expect(b.tree).toBe(second.expectedTree);
    expect(readdirSync(workDir).filter((name) => name.startsWith("scratch-")).length).toBe(2);
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workspaceDiff, workspaceTree } from "./sandboxed-git.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/** A source repository with a tracked file under an ignored folder, and a task checkout of it. */
function sourceAndWorkspace() {
  const root = mkdtempSync(path.join(os.tmpdir(), "quire-sandboxed-git-"));
  dirs.push(root);
  const source = path.join(root, "source");
  execFileSync("git", ["init", "--quiet", source]);
  writeFileSync(path.join(source, ".gitignore"), "build/\n");
  execFileSync("mkdir", ["-p", path.join(source, "build")]);
  writeFileSync(path.join(source, "build", "kept.txt"), "tracked although ignored\n");
  git(source, "add", "--force", ".");
  git(source, "-c", "user.email=a@b", "-c", "user.name=n", "commit", "--quiet", "-m", "base");
  const workspace = path.join(root, "workspace");
  git(root, "clone", "--quiet", "--shared", source, workspace);
  const head = git(source, "rev-parse", "HEAD");
  const readOnlyPaths = [path.join(source, ".git", "objects")];
  return { workspace, head, readOnlyPaths };
}

describe("workspaceTree and workspaceDiff", () => {
  it("keep a tracked file that .gitignore covers, and diff its change", async () => {
    const { workspace, head, readOnlyPaths } = sourceAndWorkspace();
    const tree = await workspaceTree({ backend: "bwrap", workspace, readOnlyPaths, head });
    expect(git(workspace, "ls-tree", "-r", "--name-only", tree).split("\n")).toEqual([".gitignore", "build/kept.txt"]);
    writeFileSync(path.join(workspace, "build", "kept.txt"), "changed\n");
    const diff = await workspaceDiff({ backend: "bwrap", workspace, readOnlyPaths, base: tree });
    expect(diff).toContain("-tracked although ignored\n+changed\n");
  });

  it("fails, rather than diffing against nothing, when the base is not there", async () => {
    const { workspace, readOnlyPaths } = sourceAndWorkspace();
    const missing = "0123456789abcdef0123456789abcdef01234567";
    await expect(workspaceDiff({ backend: "bwrap", workspace, readOnlyPaths, base: missing })).rejects.toThrow(
      /git in the workspace failed/,
    );
  });
});

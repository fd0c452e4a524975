import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workspaceDiff, workspaceTree } from "./sandboxed-git.js";
import { redactedWorkspaceDiff } from "./diff-file.js";

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

describe("redactedWorkspaceDiff", () => {
  it("is exactly the whole diff, CRLF and binary files included, with secrets redacted in blocks of lines", async () => {
    const { workspace, head, readOnlyPaths } = sourceAndWorkspace();
    writeFileSync(path.join(workspace, "crlf.txt"), "one\r\ntwo\r\n");
    writeFileSync(path.join(workspace, "blob.bin"), Buffer.from([0, 1, 2, 255, 0, 13, 10]));
    writeFileSync(path.join(workspace, "big.txt"), "x".repeat(100) + "\n" + "token=s3cr3t-value\n".repeat(120_000));
    const scratchFile = path.join(workspace, "..", "diff.raw");
    const redact = (text: string) => text.replaceAll("s3cr3t-value", "[REDACTED:TOKEN]");
    const whole = await workspaceDiff({ backend: "bwrap", workspace, readOnlyPaths, base: head });
    const streamed = await redactedWorkspaceDiff({
      backend: "bwrap",
      workspace,
      readOnlyPaths,
      base: head,
      scratchFile,
      redact,
    });
    expect(streamed === redact(whole)).toBe(true);
    expect(streamed).toContain("+one\r\n+two\r\n");
    expect(streamed).toContain("GIT binary patch");
    expect(streamed).not.toContain("s3cr3t-value");
    expect(existsSync(scratchFile)).toBe(false);
  });

  it("fails like workspaceDiff, and leaves no scratch file, when the base is not there", async () => {
    const { workspace, readOnlyPaths } = sourceAndWorkspace();
    const scratchFile = path.join(workspace, "..", "diff.raw");
    const base = "0123456789abcdef0123456789abcdef01234567";
    await expect(
      redactedWorkspaceDiff({ backend: "bwrap", workspace, readOnlyPaths, base, scratchFile, redact: (text) => text }),
    ).rejects.toThrow(/git in the workspace failed/);
    expect(existsSync(scratchFile)).toBe(false);
  });
});

import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { spawnHostGit } from "../host-git.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import { git } from "./git.js";
import { contentGitPrelude, gitInSandbox } from "./sandboxed-git.js";

/**
 * Whether a snapshot can be reused: it owns its objects (no alternates: an old `--shared` clone
 * reads them from the user's checkout, which may have pruned them since), and its commit, the
 * commit's whole tree and the base tree of task diffs are all in its store. Git runs in the
 * sandbox (setup wrote to the snapshot) with its own scratch repository, the snapshot read-only
 * and nothing else bound, so objects only the user's checkout still holds count as missing.
 */
export async function snapshotIsWhole(options: {
  backend: SandboxBackendName;
  /** The prepared checkout. */
  dir: string;
  commit: string;
  baseTree: string;
}): Promise<boolean> {
  if (existsSync(path.join(options.dir, ".git", "objects", "info", "alternates"))) return false;
  // Submodule entries ("commit") are not objects of this repository.
  const listTree = (rev: string): string => `git ls-tree -r --format='%(objecttype) %(objectname)' "${rev}"`;
  const check = [
    'git cat-file -e "$1^{commit}"',
    'git cat-file -e "$2^{tree}"',
    `${listTree("$1^{tree}")} > "$q/listed"`,
    `${listTree("$2")} >> "$q/listed"`,
    `awk '$1 != "commit" { print $2 }' "$q/listed" | git cat-file --batch-check='%(objectname) %(objecttype)' > "$q/found"`,
    `! grep -q ' missing$' "$q/found"`,
  ].join(" && ");
  const out = await gitInSandbox({
    backend: options.backend,
    workspace: options.dir,
    readOnlyPaths: [],
    writable: false,
    // A missing object is an answer, not a failure: only the sandbox itself failing throws.
    script: `${contentGitPrelude({ writeObjectsTo: "scratch" })} && if { ${check} ; } 2>/dev/null; then echo whole; else echo broken; fi`,
    args: [options.commit, options.baseTree],
    privateIndex: false,
  });
  return out.trim() === "whole";
}

/**
 * snapshotIsWhole, run once per snapshot: a snapshot never changes after it is made (tasks write
 * to their own layer, and its objects are its own files), so a whole one stays whole. The answer
 * is kept beside it, in Quire's folder of the snapshot, not in the checkout setup wrote to; the
 * alternates test is redone each time as it costs one stat.
 */
export async function cachedSnapshotIsWhole(options: Parameters<typeof snapshotIsWhole>[0]): Promise<boolean> {
  const marker = path.join(path.dirname(options.dir), "checked-whole");
  if (existsSync(marker)) return !existsSync(path.join(options.dir, ".git", "objects", "info", "alternates"));
  const whole = await snapshotIsWhole(options);
  if (whole) await writeFile(marker, `${options.commit}\n`).catch(() => undefined);
  return whole;
}

/**
 * Brings `commit` (with everything it needs that the snapshot's commit `have` does not) from the
 * user's repository into a task's workspace, whose snapshot was made at another commit. The user's
 * repository is read by git on the host (as everywhere else: Quire trusts it, not the workspace);
 * the pack is handed to git in the sandbox from a folder of Quire's, so the sandbox is never shown
 * the user's checkout. When `have` is gone from the source (history rewritten), all of `commit`'s
 * history is sent.
 */
export async function importCommit(options: {
  backend: SandboxBackendName;
  sourceRoot: string;
  commit: string;
  have: string;
  workspace: string;
  /** A folder of Quire's (not in the workspace) for the pack while it is handed over. */
  scratchDir: string;
}): Promise<void> {
  const haveIt = await git(["cat-file", "-e", `${options.have}^{commit}`], { cwd: options.sourceRoot }).then(
    () => true,
    () => false,
  );
  const revs = haveIt ? `${options.commit}\n--not\n${options.have}\n` : `${options.commit}\n`;
  await mkdir(options.scratchDir, { recursive: true, mode: 0o700 });
  const packFile = path.join(options.scratchDir, "commit.pack");
  try {
    await packObjects(options.sourceRoot, revs, packFile);
    await gitInSandbox({
      backend: options.backend,
      workspace: options.workspace,
      readOnlyPaths: [options.scratchDir],
      script: `${contentGitPrelude({ writeObjectsTo: "workspace" })} && git index-pack --stdin < "$1" > /dev/null`,
      args: [packFile],
      privateIndex: false,
    });
  } finally {
    await rm(options.scratchDir, { recursive: true, force: true });
  }
}

/** `git pack-objects --revs` in the source, into `file`. */
async function packObjects(sourceRoot: string, revs: string, file: string): Promise<void> {
  const child = spawnHostGit(["pack-objects", "--revs", "--stdout", "-q"], { cwd: sourceRoot });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  child.stdin.end(revs);
  await pipeline(child.stdout, createWriteStream(file));
  const code = await exited;
  if (code !== 0) throw new Error(`git pack-objects failed in ${sourceRoot}: ${stderr.trim()}`);
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { git } from "./git.js";

export interface PreparedWorkspace {
  /** Absolute path of the task's own checkout. */
  workspace: string;
  /** The commit the task started from; the diff is taken against it. */
  baseCommit: string;
  /** The user's repository root (never written). */
  sourceRoot: string;
  /** Host paths the sandbox must be able to read: the source's object store (see below). */
  readOnlyPaths: string[];
  /** True when the source checkout had uncommitted changes, which the task does not see. */
  sourceDirty: boolean;
}

export class NotAGitRepositoryError extends Error {}

/**
 * Makes the task's checkout at `target`: a clone of the user's repository at HEAD that
 * borrows the source's objects through git's alternates (`--shared`), so preparing costs
 * the same whatever the history's size and nothing is written to the user's checkout.
 * The sandbox gets the borrowed object store read-only, so the task cannot damage it.
 */
export async function prepareWorkspace(repo: string, target: string, branch: string): Promise<PreparedWorkspace> {
  let sourceRoot: string;
  try {
    sourceRoot = (await git(["rev-parse", "--show-toplevel"], { cwd: repo })).trim();
  } catch {
    throw new NotAGitRepositoryError(`${repo} is not inside a git repository; quire exec works on a git checkout`);
  }
  const baseCommit = (
    await git(["rev-parse", "--verify", "HEAD^{commit}"], { cwd: sourceRoot }).catch(() => {
      throw new NotAGitRepositoryError(`${sourceRoot} has no commits yet; commit something first`);
    })
  ).trim();
  const commonDir = path.resolve(
    sourceRoot,
    (await git(["rev-parse", "--git-common-dir"], { cwd: sourceRoot })).trim(),
  );
  // Tracked files only: scanning for untracked files can take seconds in a large checkout.
  const status = await git(["status", "--porcelain", "--untracked-files=no"], { cwd: sourceRoot });

  await git(["clone", "--quiet", "--shared", "--no-checkout", sourceRoot, target], { cwd: sourceRoot });
  await git(["checkout", "--quiet", "-b", branch, baseCommit], { cwd: target });
  return {
    workspace: target,
    baseCommit,
    sourceRoot,
    readOnlyPaths: [path.join(commonDir, "objects")],
    sourceDirty: status.trim() !== "",
  };
}

/**
 * The workspace's changes against the base commit, new files included (ignored files are
 * not), as a binary-safe unified diff. A private index keeps the agent's own index untouched.
 */
export async function computeDiff(workspace: string, baseCommit: string): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "quire-diff-"));
  const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
  try {
    await git(["read-tree", baseCommit], { cwd: workspace, env });
    await git(["add", "--all", "--", "."], { cwd: workspace, env });
    return await git(["diff", "--cached", "--binary", "--no-color", "--no-ext-diff", baseCommit], {
      cwd: workspace,
      env,
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface DiffStat {
  files: { path: string; added: number; removed: number }[];
  added: number;
  removed: number;
}

/** Counts from a unified diff, for the readable log and task lists. */
export function diffStat(diff: string): DiffStat {
  const files: DiffStat["files"] = [];
  let current: DiffStat["files"][number] | null = null;
  for (const line of diff.split("\n")) {
    if (line.startsWith("diff --git ")) {
      const match = / b\/(.*)$/.exec(line);
      current = { path: match?.[1] ?? line, added: 0, removed: 0 };
      files.push(current);
    } else if (current && line.startsWith("+") && !line.startsWith("+++ ")) {
      current.added++;
    } else if (current && line.startsWith("-") && !line.startsWith("--- ")) {
      current.removed++;
    }
  }
  return {
    files,
    added: files.reduce((sum, file) => sum + file.added, 0),
    removed: files.reduce((sum, file) => sum + file.removed, 0),
  };
}

export class ApplyConflictError extends Error {}

/**
 * Applies a task's diff to a checkout, all or nothing: `git apply --check` first, so a
 * conflict refuses cleanly and leaves the checkout exactly as it was.
 */
export async function applyDiff(diff: string, target: string): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "quire-apply-"));
  const patchFile = path.join(scratch, "task.patch");
  try {
    await writeFile(patchFile, diff);
    try {
      await git(["apply", "--check", "--binary", "--whitespace=nowarn", patchFile], { cwd: target });
    } catch (error) {
      throw new ApplyConflictError(
        `the diff does not apply cleanly to ${target}; nothing was changed.\n${(error as Error).message.replace(/^git apply failed: /, "")}`,
      );
    }
    await git(["apply", "--binary", "--whitespace=nowarn", patchFile], { cwd: target });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

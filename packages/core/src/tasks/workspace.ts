import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { git } from "./git.js";

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

/** The checkout already holds the diff's changes (it applies cleanly in reverse): nothing to do. */
export class DiffAlreadyAppliedError extends Error {}

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
      const reverses = await git(["apply", "--check", "--reverse", "--binary", "--whitespace=nowarn", patchFile], {
        cwd: target,
      }).then(
        () => true,
        () => false,
      );
      if (reverses) throw new DiffAlreadyAppliedError(`the diff is already applied to ${target}; nothing was changed.`);
      throw new ApplyConflictError(
        `the diff does not apply cleanly to ${target}; nothing was changed.\n${(error as Error).message.replace(/^git apply failed: /, "")}`,
      );
    }
    await git(["apply", "--binary", "--whitespace=nowarn", patchFile], { cwd: target });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

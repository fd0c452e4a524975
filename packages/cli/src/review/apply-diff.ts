/** Applying a task's diff to a checkout, all or nothing: the local and the remote `quire apply`. */
import { applyDiff, DiffAlreadyAppliedError, diffStat, git } from "@quire/core";

/** Applies `diff` at the root of the repository `dir` is in; a conflict throws ApplyConflictError and changes nothing. */
export async function applyToCheckout(taskId: string, diff: string, dir: string): Promise<void> {
  if (diff.trim() === "") {
    process.stdout.write(`task ${taskId} has no changes to apply\n`);
    return;
  }
  // git apply takes paths from the repository root, wherever inside it we are.
  const root = (await git(["rev-parse", "--show-toplevel"], { cwd: dir }).catch(() => dir)).trim();
  try {
    await applyDiff(diff, root);
  } catch (error) {
    if (!(error instanceof DiffAlreadyAppliedError)) throw error;
    // Exit 0: the checkout already is what applying would make it.
    process.stdout.write(`task ${taskId} is already applied to ${root}: nothing was changed\n`);
    return;
  }
  const stat = diffStat(diff);
  for (const file of stat.files) process.stdout.write(`  ${file.path} +${file.added} -${file.removed}\n`);
  process.stdout.write(`applied task ${taskId}: ${stat.files.length} file(s), +${stat.added} -${stat.removed}\n`);
}

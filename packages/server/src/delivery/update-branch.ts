/**
 * Delivering again to the branch Quire delivered before: a new commit on top of the branch's
 * head (a fast-forward, pushed without force), whose tree is the task's current diff on the base.
 * The head must be a commit Quire pushed; otherwise someone else moved the branch and nothing is
 * pushed (BranchMovedError).
 */
import { commitInScratch, scratchRepository, type CommitDiffOptions } from "./commit-diff.js";
import { BranchMovedError, PushError } from "./errors.js";
import { git, gitMessage, runGit, type GitContext } from "./git-runner.js";
import { authEnv, remoteBranch } from "./push.js";

export interface UpdateOptions extends CommitDiffOptions {
  remoteUrl: string;
  remoteDisplay: string;
  branch: string;
  authorization?: string;
  /** Every commit Quire pushed to this branch (the "moved by someone else" check is exact). */
  pushed: readonly string[];
}

export type UpdateResult =
  /** The branch is gone from the remote: deliver it as a new branch. */
  | { kind: "gone" }
  | {
      kind: "updated" | "unchanged";
      /** The branch's head now (the new commit, or the old head when the tree did not change). */
      commit: string;
      /** The head before this delivery. */
      previousHead: string;
      /** `git diff --stat` from the previous head to the new commit (empty when unchanged). */
      stat: string;
      scratch: string;
    };

export async function updateDeliveredBranch(options: UpdateOptions, context: GitContext): Promise<UpdateResult> {
  const scratch = await scratchRepository(options.sourceRepo, options.workDir, context);
  const target = { ...options, scratch };
  const head = await remoteBranch(target, context);
  if (!head) return { kind: "gone" };
  if (!options.pushed.includes(head)) throw new BranchMovedError(options.branch, options.remoteDisplay, head);

  const env = authEnv(options.authorization);
  const ref = `refs/heads/${options.branch}`;
  // The head's objects, so that the new commit can name it as its parent (and its tree be compared).
  const fetched = await runGit(
    ["fetch", "--quiet", "--no-tags", options.remoteUrl, ref],
    { cwd: scratch, env },
    context,
  );
  if (fetched.exitCode !== 0) throw new PushError(options.branch, options.remoteDisplay, gitMessage(fetched, context));

  const made = await commitInScratch({ ...options, parent: head }, context.redact);
  const headTree = (await git(["rev-parse", `${head}^{tree}`], { cwd: scratch }, context)).trim();
  if (headTree === made.tree) return { kind: "unchanged", commit: head, previousHead: head, stat: "", scratch };

  // No "+" and no --force: git itself refuses anything but a fast-forward from what is there now.
  const pushed = await runGit(
    ["push", "--porcelain", options.remoteUrl, `${made.commit}:${ref}`],
    { cwd: scratch, env },
    context,
  );
  if (pushed.exitCode !== 0) {
    const now = await remoteBranch(target, context);
    if (now && now !== head && now !== made.commit)
      throw new BranchMovedError(options.branch, options.remoteDisplay, now);
    if (now !== made.commit) {
      const rejected = pushed.stdout.split("\n").filter((line) => line.startsWith("!"));
      const stderr = [pushed.stderr.trim(), ...rejected].filter(Boolean).join("\n");
      throw new PushError(options.branch, options.remoteDisplay, gitMessage({ ...pushed, stderr }, context));
    }
  }
  const stat = await git(["diff", "--stat", head, made.commit], { cwd: scratch }, context);
  return { kind: "updated", commit: made.commit, previousHead: head, stat: stat.trimEnd(), scratch };
}

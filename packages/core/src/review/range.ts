/**
 * The change a review reads when it is given as two revisions: everything the head adds since it
 * left the base (`git diff base...head`, as pull requests show it), taken from the source
 * repository (the user's checkout, or the server's clone): never from a task's workspace.
 */
import { spawn } from "node:child_process";
import { git } from "../tasks/git.js";

/** A change past this is refused: a review of it would not fit any model's context anyway. */
export const MAX_REVIEW_DIFF_BYTES = 32 * 1024 * 1024;

export class ReviewRangeError extends Error {}

export interface ReviewRange {
  /** Where base and head meet: the review's workspace starts here, with `diff` applied. */
  mergeBase: string;
  base: string;
  head: string;
  /** Commits on head since the merge base. */
  commits: number;
  diff: string;
}

// Diff drivers and text conversions named by the repository's attributes are commands: none run.
const SAFE_DIFF = ["-c", "core.attributesFile=/dev/null", "diff", "--binary", "--no-ext-diff", "--no-textconv"];

export async function reviewRange(repo: string, base: string, head = "HEAD"): Promise<ReviewRange> {
  const commitOf = async (revision: string): Promise<string> =>
    (
      await git(["rev-parse", "--verify", "--end-of-options", `${revision}^{commit}`], { cwd: repo }).catch(() => {
        throw new ReviewRangeError(`no commit ${revision} in the repository`);
      })
    ).trim();
  const baseCommit = await commitOf(base);
  const headCommit = await commitOf(head);
  const mergeBase = (
    await git(["merge-base", baseCommit, headCommit], { cwd: repo }).catch(() => {
      throw new ReviewRangeError(`${base} and ${head} have no common history`);
    })
  ).trim();
  const commits = Number((await git(["rev-list", "--count", `${mergeBase}..${headCommit}`], { cwd: repo })).trim());
  const diff = await boundedGit(repo, [...SAFE_DIFF, "--no-color", mergeBase, headCommit, "--"]);
  if (diff === null) {
    throw new ReviewRangeError(
      `the change from ${base} to ${head} is over ${MAX_REVIEW_DIFF_BYTES} bytes: too large to review`,
    );
  }
  return { mergeBase, base: baseCommit, head: headCommit, commits, diff };
}

/** git's output, or null once it passes MAX_REVIEW_DIFF_BYTES (git is stopped there, not read on). */
function boundedGit(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = false;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_REVIEW_DIFF_BYTES) {
        over = true;
        child.kill();
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (over) return resolve(null);
      if (code !== 0) return reject(new ReviewRangeError(`git diff failed: ${stderr.trim()}`));
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

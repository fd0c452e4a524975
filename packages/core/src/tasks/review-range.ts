/**
 * The change a review reads when it is given as two revisions: everything the head adds since it
 * left the base (`git diff base...head`, as pull requests show it), from the source repository's
 * objects (the user's checkout, or the server's clone), never from a task's workspace.
 *
 * Only the two revisions are resolved in the source itself. The rest runs in a scratch bare
 * repository of Quire's own that borrows the source's objects: none of the source's config (diff
 * drivers, textconv, external diff) is read, and an attributes file of its own sets every
 * attribute that could steer a diff back to unspecified, as the reviewed diff's rules say
 * (docs/security.md, "The reviewed diff"): in-tree `.gitattributes` are part of the change.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { hostGitEnv } from "../host-git.js";
import { git } from "./git.js";

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

const NEUTRAL_ATTRIBUTES = "* !diff !text !eol !crlf !ident !filter !working-tree-encoding !merge\n";
const DIFF = ["diff", "--binary", "--no-ext-diff", "--no-textconv", "--no-color"];

export async function reviewRange(repo: string, base: string, head = "HEAD"): Promise<ReviewRange> {
  const commitOf = async (revision: string): Promise<string> =>
    (
      await git(["rev-parse", "--verify", "--end-of-options", `${revision}^{commit}`], { cwd: repo }).catch(() => {
        throw new ReviewRangeError(`no commit ${revision} in the repository`);
      })
    ).trim();
  const baseCommit = await commitOf(base);
  const headCommit = await commitOf(head);
  const commonDir = (await git(["rev-parse", "--git-common-dir"], { cwd: repo })).trim();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "quire-review-"));
  try {
    const env = await scratchRepository(scratch, path.resolve(repo, commonDir, "objects"));
    const inScratch = { cwd: scratch, env };
    const mergeBase = (
      await git(["merge-base", baseCommit, headCommit], inScratch).catch(() => {
        throw new ReviewRangeError(`${base} and ${head} have no common history`);
      })
    ).trim();
    const commits = Number((await git(["rev-list", "--count", `${mergeBase}..${headCommit}`], inScratch)).trim());
    const diff = await boundedGit(scratch, env, [...DIFF, mergeBase, headCommit, "--"]);
    if (diff === null) {
      throw new ReviewRangeError(
        `the change from ${base} to ${head} is over ${MAX_REVIEW_DIFF_BYTES} bytes: too large to review`,
      );
    }
    return { mergeBase, base: baseCommit, head: headCommit, commits, diff };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A bare repository borrowing `objects`, and the environment that makes git use it and nothing else. */
async function scratchRepository(scratch: string, objects: string): Promise<Record<string, string>> {
  const gitDir = path.join(scratch, "git");
  const env = {
    GIT_DIR: gitDir,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: objects,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_NO_REPLACE_OBJECTS: "1",
    HOME: scratch,
    XDG_CONFIG_HOME: scratch,
  };
  await git(["init", "--quiet", "--bare", "--template=", gitDir], { cwd: scratch, env });
  await mkdir(path.join(gitDir, "info"), { recursive: true });
  await writeFile(path.join(gitDir, "info", "attributes"), NEUTRAL_ATTRIBUTES);
  return env;
}

/** git's output, or null once it passes MAX_REVIEW_DIFF_BYTES (git is stopped there, not read on). */
function boundedGit(cwd: string, env: Record<string, string>, args: string[]): Promise<string | null> {
  return new Promise((resolve, reject) => {
    // The hardened host git's environment (host-git.ts), streamed here so the output can be bounded.
    const child = spawn("git", args, { cwd, env: hostGitEnv({ env }) });
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

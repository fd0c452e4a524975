/**
 * Turns a task's diff into a commit on top of its base commit, without touching the source
 * repository: the commit is made in a scratch bare clone (`--shared`, so the source's objects are
 * borrowed, not copied) with a throwaway index, and nothing is ever checked out.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { DeliveryError, DiffDoesNotApplyError } from "./errors.js";
import { git, gitMessage, prepareGitHome, runGit, type GitContext } from "./git-runner.js";

export interface Author {
  name: string;
  email: string;
}

export interface CommitDiffOptions {
  /** The repository the task ran against (a path on this machine); only read. */
  sourceRepo: string;
  /** The commit id (hex) the diff was taken against. */
  baseCommit: string;
  /** A git-style unified diff (`diff --git a/… b/…`). */
  diff: string;
  message: string;
  /** Author and committer of the commit. */
  author: Author;
  /** A directory Quire owns for this work; the scratch repository is kept in it between calls. */
  workDir: string;
  /** Author and committer date (default: now). The same date, author and message give the same commit id. */
  date?: Date;
  /**
   * The new commit's parent (default: the base commit): the commit delivered before, when a
   * delivery updates its branch. The tree is still the base with the diff applied.
   */
  parent?: string;
  signal?: AbortSignal;
}

export interface CommitDiffResult {
  commit: string;
  tree: string;
}

/** A commit made in the scratch repository, with what is needed to keep using that repository. */
export interface ScratchCommit extends CommitDiffResult {
  scratch: string;
  home: string;
}

const HEX_ID = /^[0-9a-f]{7,64}$/i;

function checkAuthor(author: Author): void {
  // git would mangle or reject these, and a newline would forge header lines in the commit object.
  for (const [field, value] of Object.entries(author)) {
    if (!value.trim() || /[<>\n\r\0]/.test(value)) {
      throw new DeliveryError(`the author's ${field} must be non-empty, on one line, without < or >`);
    }
  }
}

/**
 * The scratch repository for `sourceRepo` inside `workDir`, made on first use. Named after the
 * source so one workDir can serve several repositories; made under a temporary name and renamed
 * so a concurrent call never sees a half-made clone.
 */
export async function scratchRepository(sourceRepo: string, workDir: string, context: GitContext): Promise<string> {
  const source = path.resolve(sourceRepo);
  const name = `scratch-${createHash("sha256").update(source).digest("hex").slice(0, 16)}.git`;
  const scratch = path.join(workDir, name);
  if (await exists(path.join(scratch, "HEAD"))) return scratch;
  const pending = await mkdtemp(path.join(workDir, "pending-"));
  try {
    await git(["clone", "--quiet", "--bare", "--shared", "--", source, "repo.git"], { cwd: pending }, context);
    await rename(path.join(pending, "repo.git"), scratch).catch(async (error: unknown) => {
      // Another call made it first: theirs is as good as ours.
      if (!(await exists(path.join(scratch, "HEAD")))) throw error;
    });
  } finally {
    await rm(pending, { recursive: true, force: true });
  }
  return scratch;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function gitDate(date: Date): string {
  return `@${Math.floor(date.getTime() / 1000)} +0000`;
}

/** Makes the commit and keeps the scratch repository for whatever comes next (a push, a patch). */
export async function commitInScratch(
  options: CommitDiffOptions,
  redact?: (text: string) => string,
): Promise<ScratchCommit> {
  if (!HEX_ID.test(options.baseCommit)) {
    throw new DeliveryError(`the base commit must be a commit id, got "${options.baseCommit}"`);
  }
  checkAuthor(options.author);
  await mkdir(options.workDir, { recursive: true });
  const home = await prepareGitHome(options.workDir);
  const context: GitContext = { home, signal: options.signal, redact };
  const scratch = await scratchRepository(options.sourceRepo, options.workDir, context);
  const run = { cwd: scratch };

  const base = await runGit(["rev-parse", "--verify", "--quiet", `${options.baseCommit}^{commit}`], run, context);
  if (base.exitCode !== 0) {
    throw new DeliveryError(`the base commit ${options.baseCommit} is not in ${options.sourceRepo}`);
  }
  const baseCommit = base.stdout.trim();
  const parent = options.parent ?? baseCommit;

  const indexDir = await mkdtemp(path.join(options.workDir, "index-"));
  try {
    const withIndex = { ...run, env: { GIT_INDEX_FILE: path.join(indexDir, "index") } };
    await git(["read-tree", baseCommit], withIndex, context);
    const diff = options.diff.endsWith("\n") ? options.diff : `${options.diff}\n`;
    const applied = await runGit(["apply", "--cached", "--whitespace=nowarn"], { ...withIndex, input: diff }, context);
    if (applied.exitCode !== 0) throw new DiffDoesNotApplyError(gitMessage(applied, context));
    const tree = (await git(["write-tree"], withIndex, context)).trim();

    const date = gitDate(options.date ?? new Date());
    const { name, email } = options.author;
    const identity = {
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: email,
      GIT_COMMITTER_DATE: date,
    };
    // The message goes through stdin: no argv length limit, and a leading "-" stays text.
    const message = `${options.message.trim()}\n`;
    const commit = (
      await git(["commit-tree", tree, "-p", parent, "-F", "-"], { ...run, env: identity, input: message }, context)
    ).trim();
    return { commit, tree, scratch, home };
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
}

/** Makes a commit holding exactly `diff` on top of `baseCommit`; throws DiffDoesNotApplyError when it does not apply. */
export async function commitDiff(options: CommitDiffOptions): Promise<CommitDiffResult> {
  const { commit, tree } = await commitInScratch(options);
  return { commit, tree };
}

/** The `git format-patch` text (an mbox message, `git am`-able) of the commit holding the diff. */
export async function formatPatch(options: CommitDiffOptions): Promise<string> {
  const made = await commitInScratch(options);
  const context: GitContext = { home: made.home, signal: options.signal };
  return git(["format-patch", "-1", "--stdout", made.commit], { cwd: made.scratch }, context);
}

/**
 * Where a registered repository's git data lives on this machine. A local path is used as it is
 * (tasks borrow its objects read-only and never touch its checkout), by processes that can read it;
 * a git URL is cloned once into each process's own home (`sources/<repository>`) and fetched
 * before each task, so refs are current and no worker depends on another's files.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { git } from "@quire/core";
import { SOURCE_FETCH_FAILED, withGuardedGit } from "./source-network.js";
import { checkLocalSource, type LocalSourcePolicy } from "./local-source-policy.js";

/** Transports a registered URL may use: no `ext::` (runs commands) and no `file://` (reads the host). */
const URL_PROTOCOLS = ["https", "http", "ssh", "git"];

export function isGitUrl(source: string): boolean {
  return /^(https?|ssh|git):\/\//i.test(source) || /^[\w.-]+@[\w.-]+:/.test(source);
}

export class SourceError extends Error {}

/** One fetch at a time per clone in this process: concurrent fetches into one repository collide. */
const fetching = new Map<string, Promise<void>>();

export function mirrorDir(home: string, repositoryId: string): string {
  return path.join(home, "sources", repositoryId);
}

/**
 * The directory holding the repository's git data, cloning a URL first. A clone is fetched too,
 * unless `needs` names a commit it already has (a task's base: nothing newer is wanted).
 */
export async function localSource(
  home: string,
  repository: { id: string; source: string },
  policy: LocalSourcePolicy,
  needs?: { commit: string },
  /** For clone and fetch: the URL's credentials as git configuration (url-credentials.ts). */
  gitEnv: Record<string, string> = {},
): Promise<string> {
  if (!isGitUrl(repository.source)) {
    // Again at each use: the path may name something else than when it was registered.
    await checkLocalSource(repository.source, policy);
    if (!existsSync(repository.source)) {
      // A path is read where the round runs: a worker on another machine needs the same path, or
      // the repository registered by URL (each worker then clones it into its own home).
      throw new SourceError(
        `repository path ${repository.source} does not exist on this machine: a repository registered by path can only be used by a server or worker that can read that path; register it by git URL to let workers elsewhere clone it`,
      );
    }
    return repository.source;
  }
  const dir = mirrorDir(home, repository.id);
  if (needs && (await hasCommit(dir, needs.commit))) return dir;
  const previous = fetching.get(dir) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => cloneOrFetch(home, repository.source, dir, gitEnv));
  fetching.set(dir, next);
  try {
    await next;
  } finally {
    if (fetching.get(dir) === next) fetching.delete(dir);
  }
  return dir;
}

async function hasCommit(dir: string, commit: string): Promise<boolean> {
  if (!existsSync(path.join(dir, ".git"))) return false;
  return git(["cat-file", "-e", `${commit}^{commit}`], { cwd: dir }).then(
    () => true,
    () => false,
  );
}

/**
 * Through the source network's proxy (public destinations unless the operator allows more), and
 * with one error whatever went wrong: what git said would tell a prober what it met.
 */
async function cloneOrFetch(home: string, url: string, dir: string, gitEnv: Record<string, string>): Promise<void> {
  const fail = (): never => {
    throw new SourceError(SOURCE_FETCH_FAILED);
  };
  if (existsSync(path.join(dir, ".git"))) {
    await withGuardedGit(home, ({ configArgs, env }) =>
      git([...configArgs, "fetch", "--prune", "--quiet", "origin"], {
        cwd: dir,
        env: { ...gitEnv, ...env },
        protocols: URL_PROTOCOLS,
      }),
    ).catch(fail);
    return;
  }
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  // Cloned beside its final place and renamed, so a failed clone never looks like a finished one.
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  try {
    await withGuardedGit(home, ({ configArgs, env }) =>
      git([...configArgs, "clone", "--no-checkout", "--quiet", "--", url, partial], {
        cwd: path.dirname(dir),
        env: { ...gitEnv, ...env },
        protocols: URL_PROTOCOLS,
      }),
    );
    await rename(partial, dir);
  } catch {
    await rm(partial, { recursive: true, force: true });
    fail();
  }
}

/**
 * The commit a task's ref names. In a clone of a URL, branches live as `origin/<name>`; a tag or
 * a commit id resolves as it is.
 */
export async function resolveRef(dir: string, ref: string, fromUrl: boolean): Promise<string> {
  const candidates = fromUrl ? [`refs/remotes/origin/${ref}`, ref] : [ref];
  for (const candidate of candidates) {
    const commit = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${candidate}^{commit}`], {
      cwd: dir,
    }).catch(() => "");
    if (commit.trim() !== "") return commit.trim();
  }
  throw new SourceError(`the repository has no branch, tag or commit named ${ref}`);
}

export interface Branch {
  name: string;
  commit: string;
}

export async function listBranches(dir: string, fromUrl: boolean): Promise<Branch[]> {
  const namespace = fromUrl ? "refs/remotes/origin/" : "refs/heads/";
  const output = await git(["for-each-ref", "--format=%(refname)%00%(objectname)", namespace], { cwd: dir });
  return output
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [ref = "", commit = ""] = line.split("\0");
      return { name: ref.slice(namespace.length), commit };
    })
    .filter((branch) => branch.name !== "HEAD");
}

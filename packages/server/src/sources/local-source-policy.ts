/**
 * Which local paths may be a repository's source. On a single-user server, any git repository
 * (its user owns the machine). On a multi-user server a member must not read another tenant's
 * repository, Quire's own home or source tree, or anything else on the host: only paths under the
 * directories the operator listed (`[sources] local_roots` / QUIRE_LOCAL_SOURCE_ROOTS; none by
 * default), after symlinks are resolved, with the repository's git data there too. The check runs
 * at registration and again each time a task, the file route or delivery uses the source, since
 * what a path names can change after it was registered.
 */
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { git } from "@quire/core";

export interface LocalSourcePolicy {
  /** False: any local path is accepted (single-user mode). */
  restricted: boolean;
  /** Absolute directories local paths must be under, when restricted. */
  roots: readonly string[];
  /** Quire's home: never a source, whatever the roots (it holds other tenants' clones and snapshots). */
  home: string;
}

/** Single-user mode: the user's own machine, any local path. */
export const UNRESTRICTED_LOCAL_SOURCES = (home: string): LocalSourcePolicy => ({ restricted: false, roots: [], home });

export class LocalSourceRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalSourceRefusedError";
  }
}

/** QUIRE_LOCAL_SOURCE_ROOTS (separated like PATH) when set, else config.toml's `[sources] local_roots`. */
export function localSourceRoots(env: NodeJS.ProcessEnv, configured: readonly string[] | undefined): string[] {
  const fromEnv = env.QUIRE_LOCAL_SOURCE_ROOTS;
  const roots = fromEnv === undefined ? [...(configured ?? [])] : fromEnv.split(path.delimiter);
  const kept = roots.map((root) => root.trim()).filter((root) => root !== "");
  const relative = kept.find((root) => !path.isAbsolute(root));
  if (relative !== undefined) throw new Error(`local source root ${JSON.stringify(relative)} must be an absolute path`);
  return kept;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

async function realRoots(policy: LocalSourcePolicy): Promise<string[]> {
  // A root that does not exist (yet) allows nothing.
  const resolved = await Promise.all(policy.roots.map((root) => realpath(root).catch(() => null)));
  return resolved.filter((root): root is string => root !== null);
}

/** Throws LocalSourceRefusedError unless `dir` (resolved) is under a root and outside Quire's home. */
async function checkAllowedDir(dir: string, policy: LocalSourcePolicy, roots: string[], what: string): Promise<void> {
  const real = await realpath(dir).catch(() => null);
  const home = await realpath(policy.home).catch(() => policy.home);
  // One answer for "missing" and "outside": a member must not learn what exists on the host.
  if (real === null || isInside(real, home) || !roots.some((root) => isInside(real, root))) {
    throw new LocalSourceRefusedError(
      roots.length === 0
        ? "this server accepts no local repository paths (its operator lists none in [sources] local_roots); give a git URL"
        : `${what} is not a git repository under the directories this server accepts local repositories from`,
    );
  }
}

/**
 * The git data of the checkout at `top`: its common directory (a `.git` file may point anywhere)
 * and the alternates its object store borrows from. Run with hooks and fsmonitor off: the
 * repository's own configuration is not trusted on the host.
 */
async function gitDataDirs(top: string): Promise<string[]> {
  const common = (
    await git(["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "rev-parse", "--git-common-dir"], {
      cwd: top,
    })
  ).trim();
  const commonDir = path.resolve(top, common);
  const objects = path.join(commonDir, "objects");
  const alternates = await readFile(path.join(objects, "info", "alternates"), "utf8").catch(() => "");
  const borrowed = alternates
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => path.resolve(objects, line));
  return [commonDir, ...borrowed];
}

/**
 * Throws LocalSourceRefusedError when the policy does not allow `source` (a registered path or
 * one being registered), its git directory or any object store it borrows from.
 */
export async function checkLocalSource(source: string, policy: LocalSourcePolicy): Promise<void> {
  if (!policy.restricted) return;
  const roots = await realRoots(policy);
  await checkAllowedDir(source, policy, roots, `repository path ${source}`);
  const dataDirs = await gitDataDirs(source).catch(() => {
    throw new LocalSourceRefusedError(
      `repository path ${source} is not a git repository under the directories this server accepts local repositories from`,
    );
  });
  for (const dir of dataDirs) await checkAllowedDir(dir, policy, roots, `the git data of ${source}`);
}

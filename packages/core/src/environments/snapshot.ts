import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { hostGit as git } from "../host-git.js";
import type { ResolvedEnvironment } from "./types.js";

/**
 * Who may reuse a snapshot: the workspace that built it (a server's workspace id; `local` for
 * `quire exec`) and the environment it was built for (a server's stored environment id, or the
 * name `quire exec` resolved). A snapshot holds whatever its setup left with that workspace's
 * secrets, so it is never shared across either, even between identical definitions: scrubbing the
 * exact secret values from its files is a second line, not the boundary.
 */
export interface SnapshotScope {
  workspace: string;
  environment: string;
}

/** The scope of everything `quire exec` runs on this machine: one user, one workspace. */
export const LOCAL_SNAPSHOT_SCOPE: SnapshotScope = { workspace: "local", environment: "local" };

/** What determines a prepared environment; any change gives a new snapshot. */
export interface SnapshotKeyInputs {
  scope: SnapshotScope;
  /** The user's repository root. */
  repo: string;
  /** The whole resolved definition (secret names with their versions, never values). */
  environment: ResolvedEnvironment;
}

export interface SnapshotMeta {
  envKey: string;
  /** The scope the snapshot serves (absent in snapshots made before scopes existed). */
  scope?: SnapshotScope;
  commit: string;
  /** The tree of the prepared checkout (what setup left), the base of task diffs. */
  baseTree: string;
  repo: string;
  createdAt: string;
}

/** Where one environment's snapshots live: its workspace's folder, then its key. */
export interface SnapshotLocation {
  home: string;
  scope: SnapshotScope;
  envKey: string;
}

export interface FoundSnapshot {
  /** The prepared checkout (overlay lower dir); never written after it is made. */
  dir: string;
  meta: SnapshotMeta;
  /** False when it was prepared at another commit: check out ours and run maintenance. */
  exact: boolean;
}

let baseSystemCache: string | null = null;

/**
 * The sandbox runs on the host's /usr and /etc, so its "base image" is the host system: its
 * release and the modification times of the directories package managers change.
 */
export function baseSystemFingerprint(): string {
  if (baseSystemCache !== null) return baseSystemCache;
  const release = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  const stamps = ["/usr/bin", "/usr/lib", "/usr/local/bin"].map((dir) => {
    try {
      return `${dir}:${statSync(dir).mtimeMs}`;
    } catch {
      return `${dir}:-`;
    }
  });
  baseSystemCache = createHash("sha256").update(release).update(stamps.join(",")).digest("hex").slice(0, 16);
  return baseSystemCache;
}

/** JSON with object keys sorted, so that equal definitions hash equally whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** sha256 of the whole definition: scripts, variables, secret names and versions, policy, limits. */
export function definitionHash(environment: ResolvedEnvironment): string {
  // Where the definition came from is not part of what it is.
  const { sources: _sources, ...definition } = environment;
  const secrets = [...definition.secrets].sort((a, b) => a.name.localeCompare(b.name));
  return createHash("sha256")
    .update(stableJson({ ...definition, secrets }))
    .digest("hex");
}

/** The cache key of an environment, without the commit (snapshots of one key differ by commit). */
export function environmentKey(inputs: SnapshotKeyInputs): string {
  const material = stableJson([
    inputs.scope.workspace,
    inputs.scope.environment,
    inputs.repo,
    definitionHash(inputs.environment),
    baseSystemFingerprint(),
  ]);
  return createHash("sha256").update(material).digest("hex").slice(0, 32);
}

export function snapshotsRoot(home: string): string {
  return path.join(home, "envs");
}

/** Folders of workspaces under the root start with this; anything else there is the old, unscoped layout. */
export const WORKSPACE_DIR_PREFIX = "ws-";

/**
 * The folder of a workspace's snapshots: its id when that is a plain name, else a hash of it, so
 * that no id can name a folder outside, or another workspace's.
 */
export function workspaceSnapshotsDir(home: string, workspace: string): string {
  const plain = /^[A-Za-z0-9_-]{1,64}$/.test(workspace);
  const name = plain ? workspace : `~${createHash("sha256").update(workspace).digest("hex").slice(0, 32)}`;
  return path.join(snapshotsRoot(home), `${WORKSPACE_DIR_PREFIX}${name}`);
}

function environmentDir(location: SnapshotLocation): string {
  return path.join(workspaceSnapshotsDir(location.home, location.scope.workspace), location.envKey);
}

function snapshotDir(location: SnapshotLocation, commit: string): string {
  return path.join(environmentDir(location), commit);
}

async function readMeta(dir: string): Promise<SnapshotMeta | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, "meta.json"), "utf8")) as SnapshotMeta;
  } catch {
    return null;
  }
}

function isFresh(meta: SnapshotMeta, ttlMs: number, now: number): boolean {
  return now - Date.parse(meta.createdAt) < ttlMs;
}

/** The snapshot for this commit if fresh, else the newest fresh one of the same environment. */
export async function findSnapshot(
  location: SnapshotLocation,
  commit: string,
  ttlMs: number,
  now = Date.now(),
): Promise<FoundSnapshot | null> {
  const exactDir = snapshotDir(location, commit);
  const exactMeta = await readMeta(exactDir);
  if (exactMeta && isFresh(exactMeta, ttlMs, now)) {
    return { dir: path.join(exactDir, "snapshot"), meta: exactMeta, exact: true };
  }
  const parent = environmentDir(location);
  const entries = await readdir(parent).catch(() => [] as string[]);
  let newest: FoundSnapshot | null = null;
  for (const entry of entries) {
    if (entry.startsWith(".")) continue;
    const dir = path.join(parent, entry);
    const meta = await readMeta(dir);
    if (!meta || !isFresh(meta, ttlMs, now)) continue;
    if (!newest || meta.createdAt > newest.meta.createdAt) {
      newest = { dir: path.join(dir, "snapshot"), meta, exact: false };
    }
  }
  return newest;
}

/**
 * A clone that owns its objects, so that they stay whatever the source later rewrites or prunes
 * (a `--shared` clone would lose its commit). Copied, not hard-linked: setup writes to this
 * checkout, and a hard link would let it rewrite the user's object files in place. A source that
 * itself borrows objects (alternates) is repacked into the clone, so that no path of the user's
 * machine is needed to read it.
 */
async function cloneSelfContained(sourceRoot: string, checkout: string, cwd: string): Promise<void> {
  await git(["clone", "--quiet", "--local", "--no-hardlinks", "--no-checkout", sourceRoot, checkout], { cwd });
  const alternates = path.join(checkout, ".git", "objects", "info", "alternates");
  if (!existsSync(alternates)) return;
  await git(["repack", "-a", "-d", "-q"], { cwd: checkout });
  await rm(alternates);
}

/**
 * Makes a snapshot: the repository at `commit` in a scratch folder, `prepare` run on it (the
 * setup script), then moved into place in one rename so that no task ever sees a half-made
 * one. If another process finished the same snapshot first, ours is dropped and theirs used.
 */
export async function createSnapshot(options: {
  location: SnapshotLocation;
  sourceRoot: string;
  commit: string;
  /** Runs the setup on the checkout and returns the tree it left (the base of task diffs). */
  prepare: (checkout: string) => Promise<string>;
}): Promise<FoundSnapshot> {
  const startedAt = new Date().toISOString();
  const parent = environmentDir(options.location);
  const scratch = path.join(parent, `.tmp-${randomBytes(6).toString("hex")}`);
  const checkout = path.join(scratch, "snapshot");
  await mkdir(scratch, { recursive: true });
  try {
    await cloneSelfContained(options.sourceRoot, checkout, parent);
    await git(["checkout", "--quiet", "--detach", options.commit], { cwd: checkout });
    const baseTree = await options.prepare(checkout);
    const meta: SnapshotMeta = {
      envKey: options.location.envKey,
      scope: options.location.scope,
      commit: options.commit,
      baseTree,
      repo: options.sourceRoot,
      createdAt: new Date().toISOString(),
    };
    await writeFile(path.join(scratch, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    const target = snapshotDir(options.location, options.commit);
    // Another task built the same snapshot while we did: use theirs. Replacing it would leave a
    // moment with no snapshot in place, and a task mounting it then would fail.
    const existing = existsSync(target) ? await readMeta(target) : null;
    if (existing && existing.createdAt >= startedAt) {
      return { dir: path.join(target, "snapshot"), meta: existing, exact: true };
    }
    // An expired snapshot may still be the lower layer of a running task: set it aside for gc.
    if (existsSync(target)) {
      await rename(target, path.join(parent, `.stale-${randomBytes(6).toString("hex")}`)).catch(() => undefined);
    }
    await rename(scratch, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
    return { dir: path.join(target, "snapshot"), meta: (await readMeta(target)) ?? meta, exact: true };
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

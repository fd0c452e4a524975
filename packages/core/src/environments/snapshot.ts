import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { git } from "../tasks/git.js";
import type { SecretRef } from "./types.js";

/** What determines a prepared environment; any change gives a new snapshot. */
export interface SnapshotKeyInputs {
  /** The user's repository root. */
  repo: string;
  setupScript: string | null;
  variables: Record<string, string>;
  secrets: SecretRef[];
}

export interface SnapshotMeta {
  envKey: string;
  commit: string;
  /** The tree of the prepared checkout (what setup left), the base of task diffs. */
  baseTree: string;
  repo: string;
  createdAt: string;
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

/** The cache key of an environment, without the commit (snapshots of one key differ by commit). */
export function environmentKey(inputs: SnapshotKeyInputs): string {
  const variables = Object.entries(inputs.variables).sort(([a], [b]) => a.localeCompare(b));
  const secrets = [...inputs.secrets].sort((a, b) => a.name.localeCompare(b.name)).map((s) => [s.name, s.version]);
  const material = JSON.stringify([inputs.repo, inputs.setupScript, variables, secrets, baseSystemFingerprint()]);
  return createHash("sha256").update(material).digest("hex").slice(0, 20);
}

export function snapshotsRoot(home: string): string {
  return path.join(home, "envs");
}

function snapshotDir(home: string, envKey: string, commit: string): string {
  return path.join(snapshotsRoot(home), envKey, commit);
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
  home: string,
  envKey: string,
  commit: string,
  ttlMs: number,
  now = Date.now(),
): Promise<FoundSnapshot | null> {
  const exactDir = snapshotDir(home, envKey, commit);
  const exactMeta = await readMeta(exactDir);
  if (exactMeta && isFresh(exactMeta, ttlMs, now)) {
    return { dir: path.join(exactDir, "snapshot"), meta: exactMeta, exact: true };
  }
  const entries = await readdir(path.join(snapshotsRoot(home), envKey)).catch(() => [] as string[]);
  let newest: FoundSnapshot | null = null;
  for (const entry of entries) {
    if (entry.startsWith(".")) continue;
    const dir = path.join(snapshotsRoot(home), envKey, entry);
    const meta = await readMeta(dir);
    if (!meta || !isFresh(meta, ttlMs, now)) continue;
    if (!newest || meta.createdAt > newest.meta.createdAt) {
      newest = { dir: path.join(dir, "snapshot"), meta, exact: false };
    }
  }
  return newest;
}

/**
 * Makes a snapshot: the repository at `commit` in a scratch folder, `prepare` run on it (the
 * setup script), then moved into place in one rename so that no task ever sees a half-made
 * one. If another process finished the same snapshot first, ours is dropped and theirs used.
 */
export async function createSnapshot(options: {
  home: string;
  envKey: string;
  sourceRoot: string;
  commit: string;
  /** Runs the setup on the checkout and returns the tree it left (the base of task diffs). */
  prepare: (checkout: string) => Promise<string>;
}): Promise<FoundSnapshot> {
  const startedAt = new Date().toISOString();
  const parent = path.join(snapshotsRoot(options.home), options.envKey);
  const scratch = path.join(parent, `.tmp-${randomBytes(6).toString("hex")}`);
  const checkout = path.join(scratch, "snapshot");
  await mkdir(scratch, { recursive: true });
  try {
    await git(["clone", "--quiet", "--shared", "--no-checkout", options.sourceRoot, checkout], { cwd: parent });
    await git(["checkout", "--quiet", "--detach", options.commit], { cwd: checkout });
    const baseTree = await options.prepare(checkout);
    const meta: SnapshotMeta = {
      envKey: options.envKey,
      commit: options.commit,
      baseTree,
      repo: options.sourceRoot,
      createdAt: new Date().toISOString(),
    };
    await writeFile(path.join(scratch, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    const target = snapshotDir(options.home, options.envKey, options.commit);
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

import { readdir, readFile, readlink, realpath, rm, stat } from "node:fs/promises";
import path from "node:path";
import { isMounted, unmountOverlay } from "../environments/overlay.js";
import { removeDiskLayer } from "../sandbox/disk-layer.js";
import { snapshotsRoot, type SnapshotMeta, WORKSPACE_DIR_PREFIX } from "../environments/snapshot.js";
import { findBwrap } from "../sandbox/index.js";
import { snapshotIsWhole } from "./snapshot-objects.js";
import { LocalTaskStore, processAlive } from "./store.js";
import { readWorkspaceNote, WORKSPACE_NOTE } from "./workspace-note.js";

export interface GcOptions {
  home: string;
  /** Snapshots older than this are removed (unless a running task still uses one). */
  snapshotTtlMs: number;
  /** Workspaces of finished tasks older than this are removed; their record, events and diff stay. */
  taskRetentionMs: number;
  dryRun?: boolean;
  now?: number;
}

export interface GcReport {
  snapshotsRemoved: string[];
  workspacesRemoved: string[];
}

/**
 * Lower dirs of the overlays mounted now: snapshots that running tasks still stand on. A task's
 * overlay names its lower dir relative to the task's folder (the mount point's parent, see
 * attachSnapshot), through a link: resolved from there.
 */
async function lowerDirsInUse(): Promise<Set<string>> {
  const mounts = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  const dirs = new Set<string>();
  for (const line of mounts.split("\n")) {
    const lower = /lowerdir=([^,\s]+)/.exec(line)?.[1];
    if (lower === undefined) continue;
    const mountPoint = line.split(" ")[4] ?? "/";
    for (const dir of lower.split(":")) {
      if (path.isAbsolute(dir)) {
        dirs.add(dir);
        continue;
      }
      const link = path.resolve(path.dirname(mountPoint), dir);
      // Both spellings: the link's own text (as the snapshot was named) and its real path.
      dirs.add(
        await readlink(link).then(
          (target) => path.resolve(path.dirname(link), target),
          () => link,
        ),
      );
      dirs.add(await realpath(link).catch(() => link));
    }
  }
  return dirs;
}

/**
 * Every environment's folder of snapshots: `<root>/ws-<workspace>/<key>`, and `<root>/<key>` as
 * homes made before snapshots were scoped by workspace keep them (gc removes those as they expire).
 */
async function environmentDirs(root: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (!entry.startsWith(WORKSPACE_DIR_PREFIX)) {
      dirs.push(path.join(root, entry));
      continue;
    }
    const keys = await readdir(path.join(root, entry)).catch(() => [] as string[]);
    dirs.push(...keys.map((key) => path.join(root, entry, key)));
  }
  return dirs;
}

/** Whether a snapshot could still be reused (see snapshotIsWhole); one that cannot is removed, however fresh. */
async function isWhole(dir: string): Promise<boolean> {
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, "meta.json"), "utf8")) as SnapshotMeta;
  } catch {
    return false;
  }
  const backend = findBwrap() ? "bwrap" : "none";
  // A check that cannot run says nothing: the snapshot is kept until it expires.
  return snapshotIsWhole({ backend, dir: path.join(dir, "snapshot"), ...meta }).catch(() => true);
}

interface TaskFolder {
  id: string;
  taskDir: string;
  status: string;
  updatedAt: string;
}

/**
 * The task folders of this home: `quire exec`'s tasks (task.json) and the scratch workspaces a
 * server's worker left (workspace.json; their records are in the server's database).
 */
async function taskWorkspaces(home: string): Promise<TaskFolder[]> {
  const store = new LocalTaskStore(home);
  const found: TaskFolder[] = (await store.list()).map((task) => ({
    id: task.id,
    taskDir: store.taskDir(task.id),
    status: task.status,
    updatedAt: task.updatedAt,
  }));
  const entries = await readdir(store.tasksDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || found.some((task) => task.id === entry.name)) continue;
    const taskDir = path.join(store.tasksDir, entry.name);
    const note = await readWorkspaceNote(taskDir);
    if (!note) continue;
    // A worker killed mid-round left "running": its workspace is free once its process is gone.
    const running = note.status === "running" && note.pid !== undefined && processAlive(note.pid);
    const updatedAt = note.updatedAt ?? (await stat(path.join(taskDir, WORKSPACE_NOTE))).mtime.toISOString();
    found.push({ id: entry.name, taskDir, status: running ? "running" : "stopped", updatedAt });
  }
  return found;
}

async function ageMs(file: string, now: number): Promise<number> {
  return now - (await stat(file)).mtimeMs;
}

/**
 * Removes stale and broken snapshots (and leftovers of interrupted ones) and old task workspaces.
 * Diffs and event logs are kept: only `repo/`, `upper/` and `work/` of a task go.
 */
export async function collectGarbage(options: GcOptions): Promise<GcReport> {
  const now = options.now ?? Date.now();
  const inUse = await lowerDirsInUse();
  const report: GcReport = { snapshotsRemoved: [], workspacesRemoved: [] };
  for (const environmentDir of await environmentDirs(snapshotsRoot(options.home))) {
    for (const entry of await readdir(environmentDir).catch(() => [] as string[])) {
      const dir = path.join(environmentDir, entry);
      if (inUse.has(path.join(dir, "snapshot"))) continue;
      const leftover = entry.startsWith(".tmp-") || entry.startsWith(".stale-");
      const limit = leftover ? 60 * 60 * 1000 : options.snapshotTtlMs;
      const marker = leftover ? dir : path.join(dir, "meta.json");
      const age = await ageMs(marker, now).catch(() => Number.POSITIVE_INFINITY);
      if (age < limit && (leftover || (await isWhole(dir)))) continue;
      report.snapshotsRemoved.push(dir);
      if (!options.dryRun) await rm(dir, { recursive: true, force: true });
    }
  }
  for (const task of await taskWorkspaces(options.home)) {
    if (task.status === "running") continue;
    if (now - Date.parse(task.updatedAt) < options.taskRetentionMs) continue;
    const taskDir = task.taskDir;
    const parts = ["repo", "upper", "work", "disk.img", "lower"].map((name) => path.join(taskDir, name));
    const present = await Promise.all(
      parts.map((part) =>
        stat(part).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!present.some(Boolean)) continue;
    report.workspacesRemoved.push(taskDir);
    if (options.dryRun) continue;
    if (await isMounted(parts[0]!)) await unmountOverlay(parts[0]!);
    await removeDiskLayer(path.join(taskDir, "disk"));
    for (const part of parts) await rm(part, { recursive: true, force: true });
  }
  return report;
}

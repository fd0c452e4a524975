/**
 * A task's state lives with the task (its stored diff and conversation), not in one workspace:
 * before a follow-up, the live workspace is used only when it still shows the stored diff;
 * otherwise (removed by `quire gc`, never here, damaged) a fresh one is built from the
 * environment's snapshot at the base commit with the stored diff applied, inside the sandbox.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { isMounted, unmountOverlay } from "../environments/overlay.js";
import { type DiskLayerSize, removeDiskLayer } from "../sandbox/disk-layer.js";
import { attachSnapshot, detachSnapshot, inspectSource, type PrepareOptions, prepareTaskWorkspace } from "./prepare.js";
import { taskDiff } from "./changed-diff.js";
import { taskOverlayLayers } from "./task-parts.js";
import { applyDiffInSandbox } from "./apply-diff.js";
import type { TaskRecord } from "./store.js";

/** The stored diff could not be put back: the round fails with this, the stored result stays. */
export class RebuildError extends Error {}

export interface RebuiltWorkspace {
  baseTree: string;
  snapshotDir: string;
  overlay: boolean;
  /** The source's object store, read-only in the sandbox (as for a new task). */
  objectsDir: string;
}

/** Attaches the live workspace when it is there and shows exactly the stored diff; false otherwise. */
export async function attachIntactWorkspace(options: {
  record: TaskRecord;
  taskDir: string;
  storedDiff: string;
  diskBudget: DiskLayerSize;
}): Promise<boolean> {
  const { record, taskDir } = options;
  if (!record.snapshotDir || !existsSync(record.snapshotDir)) return false;
  // The task's own writes: overlayfs' upper layer (on its disk layer, or beside), or the copy.
  const written = record.overlay
    ? [path.join(taskDir, "upper"), path.join(taskDir, "disk.img"), path.join(taskDir, "disk")]
    : [path.join(record.workspace, ".git")];
  if (!written.some((part) => existsSync(part))) return false;
  await attachSnapshot({
    taskDir,
    snapshotDir: record.snapshotDir,
    overlay: !!record.overlay,
    diskBudget: options.diskBudget,
  });
  // A round cut off by a dead process stored no diff: its workspace, which the conversation
  // already describes, is the newer state.
  if (record.reason?.startsWith("interrupted")) return true;
  const live = await taskDiff({
    backend: record.sandbox,
    workspace: record.workspace,
    readOnlyPaths: record.readOnlyPaths,
    base: record.baseTree ?? record.baseCommit,
    ...taskOverlayLayers(taskDir, record),
  }).then(
    (taken) => taken.diff,
    () => null,
  );
  if (live === options.storedDiff) return true;
  await detachSnapshot(taskDir, !!record.overlay);
  return false;
}

/** Removes what is left of a workspace (mounts included), keeping the record, events and diff. */
export async function removeWorkspace(taskDir: string): Promise<void> {
  const merged = path.join(taskDir, "repo");
  if (await isMounted(merged)) await unmountOverlay(merged);
  await removeDiskLayer(path.join(taskDir, "disk"));
  for (const name of ["repo", "upper", "work", "disk.img", "rebuild"]) {
    await rm(path.join(taskDir, name), { recursive: true, force: true });
  }
}

/**
 * A fresh workspace at the base commit (the environment's snapshot, set up as for a new task)
 * with the stored diff applied by git in the sandbox (binary files included). All or nothing:
 * a diff that does not apply is a RebuildError naming why.
 */
export async function rebuildWorkspace(options: {
  record: TaskRecord;
  storedDiff: string;
  prepare: Omit<PrepareOptions, "source" | "branch">;
}): Promise<RebuiltWorkspace> {
  const { record, storedDiff } = options;
  const taskDir = options.prepare.taskDir;
  await removeWorkspace(taskDir);
  const source = await inspectSource(record.sourceRoot, record.baseCommit).catch((error: Error) => {
    throw new RebuildError(`cannot rebuild task ${record.id}'s workspace: ${error.message}`);
  });
  const prepared = await prepareTaskWorkspace({ ...options.prepare, source, branch: record.branch });
  try {
    await applyDiffInSandbox({
      backend: options.prepare.sandbox,
      workspace: prepared.workspace,
      scratchDir: path.join(taskDir, "rebuild"),
      diff: storedDiff,
    });
  } catch (error) {
    throw new RebuildError(
      `the task's stored diff does not apply to a fresh workspace at ${record.baseCommit.slice(0, 12)}, so the follow-up did not run (the stored result is kept): ${(error as Error).message}`,
    );
  }
  return {
    baseTree: prepared.baseTree,
    snapshotDir: prepared.snapshotDir,
    overlay: prepared.overlay,
    objectsDir: source.objectsDir,
  };
}

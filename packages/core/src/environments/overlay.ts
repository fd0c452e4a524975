import { execFile } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface OverlayPaths {
  /** The read-only snapshot. */
  lower: string;
  /** The task's own changes. */
  upper: string;
  /** overlayfs scratch space, on the same file system as upper. */
  work: string;
  /** Where the task sees snapshot + changes. */
  merged: string;
}

/**
 * A copy-on-write view of a snapshot: overlayfs, so preparing a task costs one mount whatever
 * the repository's size, and writes land in the task's upper dir, never in the snapshot.
 * Mounting needs CAP_SYS_ADMIN (Quire running as root, as in a container); callers check
 * `overlaySupported()` and fall back to a copy otherwise.
 */
export async function mountOverlay(paths: OverlayPaths, options: { cwd?: string } = {}): Promise<void> {
  // Relative paths (resolved from `cwd`) are what the mount table then shows, to the sandbox too.
  const resolve = (dir: string): string => path.resolve(options.cwd ?? ".", dir);
  await Promise.all([
    mkdir(resolve(paths.upper), { recursive: true }),
    mkdir(resolve(paths.work), { recursive: true }),
  ]);
  await mkdir(resolve(paths.merged), { recursive: true });
  for (const value of Object.values(paths)) {
    // overlayfs options are comma and colon separated; such paths cannot be expressed safely.
    if (/[,:]/.test(value)) throw new Error(`cannot use ${value} for overlayfs: it contains ',' or ':'`);
  }
  // nosuid, nodev: a set-uid file the agent made in its workspace grants nothing through the mount.
  // redirect_dir=off, metacopy=off (most kernels' defaults, said here so that no host's config
  // changes them): a directory renamed from the snapshot is copied up whole and every file written
  // is whole in the upper layer, so the upper layer alone tells what a task changed
  // (tasks/upper-changes.ts).
  const mountOptions = `lowerdir=${paths.lower},upperdir=${paths.upper},workdir=${paths.work},redirect_dir=off,metacopy=off,nosuid,nodev`;
  try {
    await execFileAsync("mount", ["-t", "overlay", "overlay", "-o", mountOptions, resolve(paths.merged)], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`could not mount the task's copy-on-write view: ${(err.stderr ?? "").trim() || err.message}`);
  }
}

export async function unmountOverlay(merged: string): Promise<void> {
  await execFileAsync("umount", [merged]).catch(async () => {
    // Busy (a process still inside): detach now, the kernel finishes when it is free.
    await execFileAsync("umount", ["-l", merged]).catch(() => undefined);
  });
}

export async function isMounted(dir: string): Promise<boolean> {
  const mounts = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  return mounts.split("\n").some((line) => line.split(" ")[4] === dir);
}

let probe: Promise<boolean> | null = null;

/** Whether this process may mount overlayfs (tried once, in a throwaway directory). */
export function overlaySupported(scratch: string): Promise<boolean> {
  probe ??= (async () => {
    const base = `${scratch}/.overlay-probe-${process.pid}`;
    const paths = { lower: `${base}/l`, upper: `${base}/u`, work: `${base}/w`, merged: `${base}/m` };
    try {
      await mkdir(paths.lower, { recursive: true });
      await mountOverlay(paths);
      await unmountOverlay(paths.merged);
      return true;
    } catch {
      return false;
    } finally {
      await rm(base, { recursive: true, force: true }).catch(() => undefined);
    }
  })();
  return probe;
}

import { stat, statfs } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { DiskBudget, DiskOverrun } from "./limits-disk.js";
import { formatMiB } from "./limits.js";

/**
 * Files the sandbox's private tmpfs mounts (/tmp, HOME, /dev/shm) may each hold. Their bytes
 * are bounded by their size, but every file also costs the host kernel memory (an inode and a
 * dentry, about 1 KiB) that no size counts, and bwrap cannot pass nr_inodes.
 */
export const SCRATCH_INODES = 100_000;
/** How often the scratch mounts are looked at (one statfs each: microseconds). */
const SCRATCH_INTERVAL_MS = 50;
/** Shortest gap between two walks of the workspace; a costly walk waits four times its cost. */
const DISK_MIN_INTERVAL_MS = 100;
const DISK_COST_FACTOR = 4;

export interface UsageWatchOptions {
  /** The workspace's budget (null when read-only: nothing to watch there). */
  disk: DiskBudget | null;
  /** Host paths of the command's private tmpfs mounts, once they exist (e.g. via /proc/PID/root). */
  scratchMounts?: () => string[];
  /** Called once, with what to tell the model and the user, when a budget was crossed. */
  onExceeded: (detail: string) => void;
}

export function describeDiskOverrun(overrun: DiskOverrun, disk: DiskBudget): string {
  if (overrun.kind === "inodes") {
    return `the workspace gained more than ${disk.limitEntries} files and directories (the limit); the command was stopped`;
  }
  return `the workspace grew by ${formatMiB(overrun.grownBytes)}, past the ${formatMiB(disk.limitBytes)} allowed; the command was stopped`;
}

const TMPFS_MAGIC = 0x01021994;

/** The host's own directory of that name: what /proc/PID/root shows until the sandbox has its root. */
const hostDevice = (mount: string): Promise<number | null> =>
  stat(mount.replace(/^\/proc\/\d+\/root/, "") || "/").then(
    (found) => found.dev,
    () => null,
  );

async function scratchOverrun(paths: string[]): Promise<string | null> {
  for (const mount of paths) {
    const [stats, own, host] = await Promise.all([
      statfs(mount).catch(() => null),
      stat(mount).catch(() => null),
      hostDevice(mount),
    ]);
    // Not mounted yet (still the host's directory), or the sandbox is already gone.
    if (stats === null || own === null || stats.type !== TMPFS_MAGIC || own.dev === host) continue;
    const used = stats.files - stats.ffree;
    if (used > SCRATCH_INODES) {
      return `more than ${SCRATCH_INODES} files in the private ${mount.replace(/^\/proc\/\d+\/root/, "")}; the command was stopped`;
    }
  }
  return null;
}

/**
 * Watches a running command's disk use: the workspace's growth in bytes and entries (a walk)
 * and the files in its private tmpfs mounts (statfs). Where the workspace is on a file system
 * of its own size (disk-layer.ts) the kernel refuses the writes and this only adds the message;
 * elsewhere it is the enforcement, and a command can overshoot by what it writes between two
 * looks (about a tenth of a second).
 */
export function watchUsage(options: UsageWatchOptions): { stop(): Promise<void> } {
  let stopped = false;
  // Stopping wakes the loop at once: a command's end must not wait for the next look.
  const wake = new AbortController();
  const loop = async (): Promise<void> => {
    let nextDiskAt = 0;
    while (!stopped) {
      await sleep(SCRATCH_INTERVAL_MS, undefined, { signal: wake.signal }).catch(() => undefined);
      if (stopped) return;
      let found = await scratchOverrun(options.scratchMounts?.() ?? []);
      if (found === null && options.disk && performance.now() >= nextDiskAt) {
        const started = performance.now();
        const overrun = await options.disk.overLimit();
        const cost = performance.now() - started;
        nextDiskAt = performance.now() + Math.max(DISK_MIN_INTERVAL_MS, cost * DISK_COST_FACTOR);
        if (overrun) found = describeDiskOverrun(overrun, options.disk);
      }
      if (found !== null && !stopped) {
        options.onExceeded(found);
        return;
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      wake.abort();
      await running;
    },
  };
}

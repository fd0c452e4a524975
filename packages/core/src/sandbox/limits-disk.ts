import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

/** Most entries one measurement visits; a larger workspace is not measured (null) rather than stall. */
const MAX_ENTRIES = 1_000_000;
/** Directories read at once: enough to hide latency, few enough not to exhaust file descriptors. */
const PARALLEL = 16;

/**
 * Bytes the files under `root` occupy on disk (allocated blocks, like `du`: a sparse file
 * counts what it uses), symlinks not followed, hard links counted once, other file systems
 * mounted inside skipped. null when it has more than `maxEntries` entries.
 */
export async function diskUsage(root: string, maxEntries = MAX_ENTRIES): Promise<number | null> {
  const top = await lstat(root, { bigint: false });
  const seen = new Set<string>();
  let bytes = top.blocks * 512;
  let entries = 0;
  const queue = [root];
  const visit = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return; // removed meanwhile, or unreadable
    }
    entries += names.length;
    if (entries > maxEntries) return;
    for (const name of names) {
      const entry = path.join(dir, name);
      let stat;
      try {
        stat = await lstat(entry);
      } catch {
        continue;
      }
      if (stat.dev !== top.dev) continue;
      if (stat.nlink > 1 && !stat.isDirectory()) {
        const key = `${stat.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      bytes += stat.blocks * 512;
      if (stat.isDirectory()) queue.push(entry);
    }
  };
  while (queue.length > 0 && entries <= maxEntries) {
    await Promise.all(queue.splice(0, PARALLEL).map(visit));
  }
  return entries > maxEntries ? null : bytes;
}

/**
 * Tracks the workspace's growth over a task: the first measurement is the baseline, each
 * later one is compared with it. Measured around commands, so a command that writes past the
 * limit is reported after it ends (the per-file limit stops a single runaway file sooner).
 */
export class DiskBudget {
  private baseline: number | null | undefined;

  constructor(
    private readonly workspace: string,
    readonly limitBytes: number,
  ) {}

  /** Takes the baseline if there is none yet. */
  async start(): Promise<void> {
    if (this.baseline === undefined) this.baseline = await diskUsage(this.workspace).catch(() => null);
  }

  /** The growth since the baseline when it is past the limit; null when within it or unknown. */
  async overLimit(): Promise<{ grownBytes: number } | null> {
    if (this.baseline === undefined || this.baseline === null) return null;
    const now = await diskUsage(this.workspace).catch(() => null);
    if (now === null) return null;
    const grownBytes = now - this.baseline;
    return grownBytes > this.limitBytes ? { grownBytes } : null;
  }
}

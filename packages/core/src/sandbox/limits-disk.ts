import { lstat, readdir, statfs } from "node:fs/promises";
import path from "node:path";

/** Directories read at once: enough to hide latency, few enough not to exhaust file descriptors. */
const PARALLEL = 16;

/** What a tree occupies: allocated bytes and entries (files, directories, links: one inode each). */
export interface DiskUsage {
  bytes: number;
  entries: number;
  /** The walk stopped at `maxEntries`: the real counts are larger still. */
  truncated: boolean;
}

/**
 * Bytes the files under `root` occupy on disk (allocated blocks, like `du`: a sparse file
 * counts what it uses) and how many entries it holds; symlinks not followed, hard links counted
 * once, other file systems mounted inside skipped. Stops once more than `maxEntries` entries
 * were seen (truncated), so a tree made to be huge costs a bounded walk, and is still known to
 * be past that count.
 */
export async function diskUsage(root: string, maxEntries = Number.POSITIVE_INFINITY): Promise<DiskUsage> {
  const top = await lstat(root);
  const seen = new Set<number>();
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
        if (seen.has(stat.ino)) continue;
        seen.add(stat.ino);
      }
      bytes += stat.blocks * 512;
      if (stat.isDirectory()) queue.push(entry);
    }
  };
  while (queue.length > 0 && entries <= maxEntries) {
    await Promise.all(queue.splice(0, PARALLEL).map(visit));
  }
  return { bytes, entries, truncated: entries > maxEntries };
}

/**
 * What a file system of the task's own holds (its disk layer, sandbox/disk-layer.ts): one statfs,
 * whatever the number of files, so a task that installed node_modules is not walked again after
 * each command. Includes the file system's own bookkeeping, which the baseline takes out.
 */
export async function fileSystemUsage(root: string): Promise<DiskUsage> {
  const stats = await statfs(root);
  return { bytes: (stats.blocks - stats.bfree) * stats.bsize, entries: stats.files - stats.ffree, truncated: false };
}

/** How far past its budget the workspace went, in words for the model and the user. */
export type DiskOverrun = { kind: "bytes"; grownBytes: number } | { kind: "inodes"; grownEntries: number };

/**
 * Tracks the workspace's growth over a task, in bytes and in entries: the first measurement is
 * the baseline, each later one is compared with it. The walk is cut just past the entry budget,
 * so a tree of millions of files is a cheap "over", never "not measured".
 */
export class DiskBudget {
  private baseline: DiskUsage | null | undefined;

  constructor(
    private readonly workspace: string,
    readonly limitBytes: number,
    readonly limitEntries: number,
    /** The workspace is the root of a file system of its own: measured by statfs, not walked. */
    private readonly ownFileSystem = false,
  ) {}

  private measure(maxEntries?: number): Promise<DiskUsage> {
    return this.ownFileSystem ? fileSystemUsage(this.workspace) : diskUsage(this.workspace, maxEntries);
  }

  /** Takes the baseline if there is none yet. */
  async start(): Promise<void> {
    if (this.baseline === undefined) this.baseline = await this.measure().catch(() => null);
  }

  /** The growth since the baseline when it is past a budget; null when within both or unknown. */
  async overLimit(): Promise<DiskOverrun | null> {
    const baseline = this.baseline;
    if (baseline === undefined || baseline === null) return null;
    const now = await this.measure(baseline.entries + this.limitEntries).catch(() => null);
    if (now === null) return null;
    const grownEntries = now.entries - baseline.entries;
    if (now.truncated || grownEntries > this.limitEntries) return { kind: "inodes", grownEntries };
    const grownBytes = now.bytes - baseline.bytes;
    return grownBytes > this.limitBytes ? { kind: "bytes", grownBytes } : null;
  }
}

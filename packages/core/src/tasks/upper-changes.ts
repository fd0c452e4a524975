/**
 * What a task changed, read from its overlay's upper layer instead of from every file of the
 * workspace: overlayfs puts each file the task wrote (or chmod-ed: a copy-up) in the upper layer,
 * and a deletion is a name the merged view no longer shows (a whiteout, or an opaque directory
 * hiding the snapshot's). So the paths to diff are the upper layer's non-directories, plus the
 * snapshot's names missing from the merged view under each directory the upper layer holds.
 * Cost: one walk of the upper layer and two directory listings per directory in it: O(changes).
 *
 * Relies on the mount having no redirected directories (`redirect_dir=off`, set by mountOverlay):
 * then every name the merged view shows under an upper directory is either in the upper layer or
 * the snapshot's entry at the same path, unchanged. Anything else is answered with `null`, and
 * the caller diffs the whole tree.
 */
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";

/** Past this many changed paths, a whole-tree diff costs about the same and is simpler. */
export const MAX_CHANGED_PATHS = 20_000;

export interface UpperChanges {
  /** Paths (relative, raw bytes) whose state may differ from the snapshot's: written, deleted, replaced. */
  paths: Buffer[];
  /**
   * Directories ("." for the top) whose `.gitignore` changed: the untracked files anywhere below
   * them are listed again, since the new rules may now include files the task never touched.
   */
  rescan: Buffer[];
}

export interface UpperLayout {
  /** The overlay's upper directory (the task's writes). */
  upper: string;
  /** The snapshot (the overlay's lower directory). */
  lower: string;
  /** The mounted workspace (what the task sees). */
  merged: string;
}

const SLASH = Buffer.from("/");
const GIT = ".git";
const GITIGNORE = ".gitignore";

const join = (dir: Buffer, name: Buffer): Buffer => (dir.length === 0 ? name : Buffer.concat([dir, SLASH, name]));
const under = (root: string, rel: Buffer): Buffer =>
  rel.length === 0 ? Buffer.from(root) : Buffer.concat([Buffer.from(root), SLASH, rel]);

/** The entries of a directory by name (latin1: byte-exact keys); empty when it is not one. */
async function entries(dir: Buffer): Promise<Map<string, Dirent<Buffer>>> {
  const listed = await readdir(dir, { encoding: "buffer", withFileTypes: true }).catch(() => [] as Dirent<Buffer>[]);
  return new Map(listed.map((entry) => [entry.name.toString("latin1"), entry]));
}

/**
 * The paths a task changed, or null when the upper layer cannot say it exactly (a repository
 * nested in the workspace, a name the merged view shows from elsewhere, too many changes).
 */
export async function changesFromUpper(
  layout: UpperLayout,
  maxPaths = MAX_CHANGED_PATHS,
): Promise<UpperChanges | null> {
  const changed = new Map<string, Buffer>();
  const rescan = new Map<string, Buffer>();
  const add = (rel: Buffer): void => {
    changed.set(rel.toString("latin1"), rel);
    const slash = rel.lastIndexOf(0x2f);
    if (rel.subarray(slash + 1).toString("latin1") === GITIGNORE) {
      const dir = slash < 0 ? Buffer.from(".") : rel.subarray(0, slash);
      rescan.set(dir.toString("latin1"), dir);
    }
  };
  const queue: Buffer[] = [Buffer.alloc(0)];
  while (queue.length > 0) {
    const rel = queue.pop()!;
    const top = rel.length === 0;
    const [upper, lower, merged] = await Promise.all([
      entries(under(layout.upper, rel)),
      entries(under(layout.lower, rel)),
      entries(under(layout.merged, rel)),
    ]);
    // The workspace's own .git is not content (git never adds it); one further down is a
    // nested repository, which only a whole-tree `git add` treats as git does.
    if (top) for (const names of [upper, lower, merged]) names.delete(GIT);
    if ([upper, lower, merged].some((names) => names.has(GIT))) return null;
    for (const [name, entry] of lower) {
      if (!merged.has(name)) add(join(rel, entry.name)); // deleted: a whiteout or an opaque directory
    }
    for (const name of merged.keys()) {
      // Not written by the task and not the snapshot's: shown from elsewhere (a redirect).
      if (!upper.has(name) && !lower.has(name)) return null;
    }
    for (const entry of upper.values()) {
      const child = join(rel, entry.name);
      if (!entry.isDirectory()) {
        add(child); // written, created, chmod-ed, or a whiteout
        continue;
      }
      const below = lower.get(entry.name.toString("latin1"));
      if (!below?.isDirectory()) {
        // New (or in place of a file or link): everything in it is the task's, so the directory
        // is one path, and git skips what its ignore rules exclude (a node_modules the task made).
        add(child);
        continue;
      }
      queue.push(child);
    }
    if (changed.size > maxPaths) return null;
  }
  return { paths: [...changed.values()], rescan: [...rescan.values()] };
}

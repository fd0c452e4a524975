// The verification's own folder: made fresh, and removed whatever happened in it.
import { execFile } from "node:child_process";
import { mkdir, readdir, realpath, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { isMounted, unmountOverlay } from "../environments/overlay.js";
import { unmountDiskLayer } from "../sandbox/disk-layer.js";

const execFileAsync = promisify(execFile);

export class WorkDirNotEmptyError extends Error {}

/**
 * Creates the folder (or takes an empty one) and returns its real path: the overlay is found
 * again by that path in the mount table when it is torn down. A folder that holds anything is
 * refused, since everything in it is removed at the end.
 */
export async function claimWorkDir(workDir: string): Promise<string> {
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const real = await realpath(workDir);
  if ((await readdir(real)).length > 0) {
    throw new WorkDirNotEmptyError(`${workDir} is not empty; verification needs a new or empty folder (it removes it)`);
  }
  return real;
}

/** Unmounts the workspace's overlay (and disk layer) if mounted, then removes the folder. */
export async function releaseWorkDir(workDir: string): Promise<void> {
  const workspace = path.join(workDir, "repo");
  // Checked rather than remembered: preparation may have mounted it and then failed.
  if (await isMounted(workspace)) await unmountOverlay(workspace);
  // The overlay's writable layer may sit on a disk layer of its own (tasks/prepare.ts).
  await unmountDiskLayer(path.join(workDir, "disk"));
  try {
    await rm(workDir, { recursive: true, force: true });
  } catch {
    // A check may have left folders without write or search permission; they are ours to reopen.
    // (chmod -R does not follow symbolic links it meets inside the tree.)
    await execFileAsync("chmod", ["-R", "u+rwX", "--", workDir]).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

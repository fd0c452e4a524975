import { execFile } from "node:child_process";
import { chmod, lstat } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Clears set-uid and set-gid bits on every file under `dir`. The sandbox user maps to the user
 * running Quire; when that is root, a command could otherwise leave a set-uid-root program
 * behind for host users. Run on the task's upper layer (only what the task changed), it is cheap.
 */
export async function stripSetIdBits(dir: string): Promise<string[]> {
  let listing: string;
  try {
    ({ stdout: listing } = await execFileAsync("find", [dir, "-xdev", "-type", "f", "-perm", "/6000", "-print0"]));
  } catch (error) {
    // find exits non-zero on unreadable corners; whatever it printed is still right.
    listing = (error as { stdout?: string }).stdout ?? "";
  }
  const files = listing.split("\0").filter(Boolean);
  for (const file of files) {
    const mode = (await lstat(file)).mode;
    await chmod(file, mode & 0o1777);
  }
  return files;
}

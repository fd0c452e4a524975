import { execFile } from "node:child_process";
import { access, mkdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** What the layer may hold: the task's disk budget, in bytes and in files and directories. */
export interface DiskLayerSize {
  bytes: number;
  inodes: number;
}

/**
 * ext4's own bookkeeping on top of the budget: the 256-byte inodes, and bitmaps and group
 * descriptors (a 64th, at least 1 MiB). Measured: what is then free is the budget within 1 %.
 */
const INODE_BYTES = 256;
const metadataBytes = (bytes: number): number => Math.max(1024 * 1024, Math.floor(bytes / 64));
/** The smallest ext4 worth making (mke2fs refuses much smaller). */
const MIN_IMAGE_BYTES = 16 * 1024 * 1024;

/** The image file beside the mount point; sparse, so the host holds only what was written. */
export const diskLayerImage = (dir: string): string => `${dir}.img`;

async function isMountPoint(dir: string): Promise<boolean> {
  const mounts = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  return mounts.split("\n").some((line) => line.split(" ")[4] === dir);
}

/**
 * Gives `dir` a file system of its own, of the budget's size and file count: an ext4 image
 * (sparse) mounted through a loop device. Writes past it fail with ENOSPC in the kernel, where
 * no command can go on writing, and the host never holds more than the budget plus ext4's
 * bookkeeping. Made once (a follow-up mounts the same image again); needs root and loop
 * devices, see `diskLayerSupported`. mount -o loop frees the loop device at unmount.
 */
export async function mountDiskLayer(dir: string, size: DiskLayerSize): Promise<void> {
  if (await isMountPoint(dir)) return;
  const image = diskLayerImage(dir);
  await mkdir(dir, { recursive: true });
  const made = await access(image).then(
    () => true,
    () => false,
  );
  if (!made) {
    const imageBytes = Math.max(MIN_IMAGE_BYTES, size.bytes + size.inodes * INODE_BYTES + metadataBytes(size.bytes));
    await writeFile(image, "", { mode: 0o600 });
    await truncate(image, imageBytes);
    // No journal and lazily initialised inode tables: nothing is written up front, the image
    // stays sparse and making it takes milliseconds. -m 0: no blocks reserved for root.
    const options = ["-q", "-F", "-N", String(size.inodes), "-m", "0", "-O", "^has_journal"];
    await execFileAsync("mkfs.ext4", [...options, "-E", "lazy_itable_init=1,lazy_journal_init=1", image]).catch(
      async (error: { stderr?: string; message: string }) => {
        await rm(image, { force: true });
        throw new Error(`could not make the task's disk layer: ${(error.stderr ?? "").trim() || error.message}`);
      },
    );
  }
  // noinit_itable: the kernel does not zero the inode tables in the background (which would
  // fill the sparse image). nosuid, nodev: nothing written there grants anything on the host.
  await execFileAsync("mount", ["-t", "ext4", "-o", "loop,nosuid,nodev,noinit_itable", image, dir]).catch(
    (error: { stderr?: string; message: string }) => {
      throw new Error(`could not mount the task's disk layer: ${(error.stderr ?? "").trim() || error.message}`);
    },
  );
}

export async function unmountDiskLayer(dir: string): Promise<void> {
  if (!(await isMountPoint(dir))) return;
  await execFileAsync("umount", [dir]).catch(async () => {
    await execFileAsync("umount", ["-l", dir]).catch(() => undefined);
  });
}

/** Unmounts the layer and removes it with its image: the task's workspace is gone for good. */
export async function removeDiskLayer(dir: string): Promise<void> {
  await unmountDiskLayer(dir);
  await rm(dir, { recursive: true, force: true });
  await rm(diskLayerImage(dir), { force: true });
}

let probe: Promise<boolean> | null = null;

/**
 * Whether this process can make disk layers (root, mkfs.ext4, a free loop device): tried once,
 * with a small image in `scratch`. Elsewhere the budget is watched instead (limits-watch.ts).
 */
export function diskLayerSupported(scratch: string): Promise<boolean> {
  probe ??= (async () => {
    if (process.getuid?.() !== 0) return false;
    const dir = path.join(scratch, `.disk-layer-probe-${process.pid}`);
    try {
      await mountDiskLayer(dir, { bytes: MIN_IMAGE_BYTES, inodes: 64 });
      await unmountDiskLayer(dir);
      return true;
    } catch {
      return false;
    } finally {
      await removeDiskLayer(dir).catch(() => undefined);
    }
  })();
  return probe;
}

/** `quire exec -i/--image FILE`: images read from files, checked by their bytes (not their names). */
import { open } from "node:fs/promises";
import { checkImageCount, IMAGE_LIMITS, type ImageInput, imageFromBytes } from "@quire/core";
import { UsageProblem } from "../review/usage-checks.js";

/** Commander's collector: repeated flags and comma-separated lists (like Codex CLI's `-i a.png,b.png`). */
export function collectImages(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").filter((part) => part !== "")];
}

/** Reads and checks every file; a wrong one is a usage problem, found before the task starts. */
export async function readImageFiles(files: readonly string[] | undefined): Promise<ImageInput[]> {
  if (!files || files.length === 0) return [];
  try {
    checkImageCount(files.length);
  } catch (error) {
    throw new UsageProblem((error as Error).message);
  }
  const images: ImageInput[] = [];
  for (const file of files) images.push(imageFromBytes(await readBounded(file), file));
  return images;
}

/** At most one byte past the limit is read, so a huge file is refused without being loaded. */
async function readBounded(file: string): Promise<Buffer> {
  const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    throw new UsageProblem(`${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  try {
    const buffer = Buffer.alloc(IMAGE_LIMITS.maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) break;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw new UsageProblem(`${file}: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
}

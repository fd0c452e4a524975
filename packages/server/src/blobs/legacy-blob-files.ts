/**
 * Homes from before blobs moved into the database kept them as files, `<home>/blobs/<sha256>`.
 * At start each process streams any such file into the database (a blob's reference is its
 * content's hash, so rows that name it find it there) and removes the file, then the folder.
 */
import { createReadStream } from "node:fs";
import { readdir, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import type { Repos } from "../storage/index.js";

const REF = /^[0-9a-f]{64}$/;

/** Returns how many blobs were moved. */
export async function moveBlobFilesIntoDatabase(repos: Repos, home: string): Promise<number> {
  const dir = path.join(home, "blobs");
  const names = await readdir(dir).catch(() => undefined);
  if (names === undefined) return 0;
  let moved = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    // Leftovers of a write cut off mid-way were never referenced.
    if (!REF.test(name)) {
      await rm(file, { force: true, recursive: true });
      continue;
    }
    await repos.blobs.putStream(createReadStream(file));
    await rm(file, { force: true });
    moved++;
  }
  await rmdir(dir).catch(() => undefined);
  return moved;
}

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BlobStore } from "../blobs/blob-store.js";
import { storeDiff, wholeDiffOf } from "./diff-storage.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function store(): BlobStore {
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-blobs-"));
  dirs.push(dir);
  return new BlobStore(path.join(dir, "blobs"));
}

describe("storeDiff", () => {
  it("keeps a diff within the inline cap in the row, and writes no blob", async () => {
    const blobs = store();
    expect(await storeDiff("+a\n", blobs, 100)).toEqual({ diff: "+a\n", diffBlob: null, diffBytes: null });
    expect(() => readdirSync(blobs.root)).toThrow();
  });

  it("puts a larger one whole in the blob store and keeps its head, cut at a line, with a marker", async () => {
    const blobs = store();
    // Multi-byte characters across the 1 MiB pieces the blob is written in.
    const diff = Array.from({ length: 40_000 }, (_, n) => `+line ${n} ✓ 😀\n`).join("");
    const stored = await storeDiff(diff, blobs, 4096);
    expect(stored.diffBytes).toBe(Buffer.byteLength(diff));
    expect(stored.diffBlob).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path.join(blobs.root, stored.diffBlob!), "utf8") === diff).toBe(true);
    expect(stored.diff).toMatch(/^\+line 0 ✓ 😀\n/);
    expect(stored.diff).toMatch(/\n… diff truncated: \d+ bytes in all, \d+ shown; download the whole diff/);
    expect(Buffer.byteLength(stored.diff)).toBeLessThan(4096 + 200);
    expect((await wholeDiffOf({ diff: stored.diff, diffBlob: stored.diffBlob }, blobs)) === diff).toBe(true);
  });

  it("refuses a blob reference that is not a digest", async () => {
    await expect(store().open("../../etc/passwd")).rejects.toThrow(/not a blob reference/);
  });
});

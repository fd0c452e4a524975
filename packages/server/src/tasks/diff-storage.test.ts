import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type BlobsRepo } from "../storage/index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";
import { storeDiff, wholeDiffOf } from "./diff-storage.js";

describe.each(TEST_DIALECTS)("storeDiff on %s", (dialect) => {
  let database: TestDatabase;
  let blobs: BlobsRepo;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    blobs = createRepos(database).blobs;
  });
  afterAll(async () => database?.cleanup());

  const blobCount = async () => (await database.db.selectFrom("blobs").select("ref").execute()).length;

  it("keeps a diff within the inline cap in the row, and writes no blob", async () => {
    expect(await storeDiff("+a\n", blobs, 100)).toEqual({ diff: "+a\n", diffBlob: null, diffBytes: null });
    expect(await blobCount()).toBe(0);
  });

  it("puts a larger one whole in a blob and keeps its head, cut at a line, with a marker", async () => {
    // Multi-byte characters across the pieces the blob is written and stored in.
    const diff = Array.from({ length: 40_000 }, (_, n) => `+line ${n} ✓ 😀\n`).join("");
    const stored = await storeDiff(diff, blobs, 4096);
    expect(stored.diffBytes).toBe(Buffer.byteLength(diff));
    expect(stored.diffBlob).toMatch(/^[0-9a-f]{64}$/);
    expect((await blobs.readText(stored.diffBlob!)) === diff).toBe(true);
    expect(stored.diff).toMatch(/^\+line 0 ✓ 😀\n/);
    expect(stored.diff).toMatch(/\n… diff truncated: \d+ bytes in all, \d+ shown; download the whole diff/);
    expect(Buffer.byteLength(stored.diff)).toBeLessThan(4096 + 200);
    expect((await wholeDiffOf({ diff: stored.diff, diffBlob: stored.diffBlob }, blobs)) === diff).toBe(true);
  });

  it("refuses a blob reference that is not a digest", async () => {
    await expect(blobs.open("../../etc/passwd")).rejects.toThrow(/not a blob reference/);
  });
});

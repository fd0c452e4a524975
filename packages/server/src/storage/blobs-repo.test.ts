import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ABANDONED_WRITE_MS, BLOB_CHUNK_BYTES, BlobNotFoundError, createRepos, type BlobsRepo } from "./index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";

describe.each(TEST_DIALECTS)("blobs in the database on %s", (dialect) => {
  let database: TestDatabase;
  let blobs: BlobsRepo;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    blobs = createRepos(database).blobs;
  });
  afterAll(async () => database?.cleanup());

  /** Deterministic bytes of every value, in pieces of uneven sizes. */
  function* pieces(total: number): Generator<Buffer> {
    let made = 0;
    for (let n = 1; made < total; n++) {
      const size = Math.min(total - made, 1000 + ((n * 7919) % 90_000));
      yield Buffer.from(Array.from({ length: size }, (_, i) => (made + i) % 251));
      made += size;
    }
  }
  const whole = (total: number) => Buffer.concat([...pieces(total)]);

  it("sweeps the chunks of writes that never finished, and nothing being written or stored", async () => {
    const stored = await blobs.put("kept");
    const now = Date.now();
    const chunk = (ref: string) => ({ ref, seq: 0, data: Buffer.from("partial") });
    await database.db
      .insertInto("blob_chunks")
      .values([
        chunk(`incoming-${now - ABANDONED_WRITE_MS - 1000}-dead-writer`),
        chunk("incoming-0b7c2a9e-older-build"),
        chunk(`incoming-${now - 1000}-live-writer`),
      ])
      .execute();
    expect(await blobs.sweepAbandonedWrites(ABANDONED_WRITE_MS, now)).toBe(2);
    const left = await database.db.selectFrom("blob_chunks").select("ref").where("ref", "like", "incoming-%").execute();
    expect(left.map((row) => row.ref)).toEqual([`incoming-${now - 1000}-live-writer`]);
    expect((await blobs.readText(stored.ref)).toString()).toBe("kept");
    await database.db.deleteFrom("blob_chunks").where("ref", "like", "incoming-%").execute();
  });

  it("gives back any byte range, from the chunk that holds its first byte", async () => {
    const total = 3 * BLOB_CHUNK_BYTES + 777;
    const stored = await blobs.putStream(pieces(total));
    const all = whole(total);
    const read = async (start: number, end: number): Promise<Buffer> => {
      const { stream, bytes } = await blobs.open(stored.ref, { start, end });
      expect(bytes).toBe(total);
      const parts: Buffer[] = [];
      for await (const part of stream) parts.push(part as Buffer);
      return Buffer.concat(parts);
    };
    for (const [start, end] of [
      [0, 0],
      [0, BLOB_CHUNK_BYTES - 1],
      [BLOB_CHUNK_BYTES - 10, BLOB_CHUNK_BYTES + 10],
      [BLOB_CHUNK_BYTES, 3 * BLOB_CHUNK_BYTES],
      [2 * BLOB_CHUNK_BYTES + 5, total - 1],
      [total - 1, total - 1],
    ] as const)
      expect((await read(start, end)).equals(all.subarray(start, end + 1))).toBe(true);
  });

  it("stores a stream in chunks and gives back the same bytes, streamed", async () => {
    const total = 3 * BLOB_CHUNK_BYTES + 12_345;
    const stored = await blobs.putStream(pieces(total));
    expect(stored).toEqual({ ref: createHash("sha256").update(whole(total)).digest("hex"), bytes: total });
    const chunks = await database.db
      .selectFrom("blob_chunks")
      .select("seq")
      .where("ref", "=", stored.ref)
      .orderBy("seq")
      .execute();
    expect(chunks.map((chunk) => chunk.seq)).toEqual([0, 1, 2, 3]);
    const { stream, bytes } = await blobs.open(stored.ref);
    expect(bytes).toBe(total);
    const read: Buffer[] = [];
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeLessThanOrEqual(BLOB_CHUNK_BYTES);
      read.push(chunk as Buffer);
    }
    expect(Buffer.concat(read).equals(whole(total))).toBe(true);
  });

  it("stores equal content once, also when written at the same time, and leaves no half-written chunks", async () => {
    const text = "the same output\n".repeat(40_000);
    const [a, b, c] = await Promise.all([blobs.put(text), blobs.put(text), blobs.put(Buffer.from(text))]);
    expect(new Set([a!.ref, b!.ref, c!.ref]).size).toBe(1);
    expect(await blobs.readText(a!.ref)).toBe(text);
    const incoming = await database.db
      .selectFrom("blob_chunks")
      .select("ref")
      .where("ref", "like", "incoming-%")
      .execute();
    expect(incoming).toEqual([]);
    const rows = await database.db.selectFrom("blobs").select("ref").where("ref", "=", a!.ref).execute();
    expect(rows).toHaveLength(1);
  });

  it("stores the empty blob", async () => {
    const stored = await blobs.put("");
    expect(stored.bytes).toBe(0);
    expect(await blobs.readText(stored.ref)).toBe("");
  });

  it("a reference that is not stored, or not a digest, is BlobNotFoundError", async () => {
    await expect(blobs.open("0".repeat(64))).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(blobs.open("../x")).rejects.toThrow(/not a blob reference/);
  });

  it("a source that fails part-way stores nothing", async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(BLOB_CHUNK_BYTES + 10, 1);
      throw new Error("the command's output went away");
    }
    await expect(blobs.putStream(failing())).rejects.toThrow(/went away/);
    const incoming = await database.db
      .selectFrom("blob_chunks")
      .select("ref")
      .where("ref", "like", "incoming-%")
      .execute();
    expect(incoming).toEqual([]);
  });
});

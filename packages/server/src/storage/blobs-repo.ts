/**
 * Large task artefacts (a diff past the inline cap, a command's whole output) live in the
 * database, so every process on it — the server, any worker on any machine — reads what another
 * wrote; a row elsewhere holds a bounded head and a reference. Blobs are content-addressed (the
 * sha256 of their bytes) and kept in chunks: a writer streams chunks in under a temporary key
 * while hashing, then names them in one transaction, so a reader never sees half a blob, equal
 * content is stored once, and neither side ever holds a blob whole.
 */
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { timestamp } from "./values.js";

export interface StoredBlob {
  /** The blob's sha256 in hex: what a row stores to find it again. */
  ref: string;
  bytes: number;
}

const REF = /^[0-9a-f]{64}$/;
/** Bytes per stored chunk: what a writer or a reader holds of a blob at once. */
export const BLOB_CHUNK_BYTES = 256 * 1024;

export class BlobNotFoundError extends Error {}

/** How long a blob may take to write before its chunks count as a dead writer's. */
export const ABANDONED_WRITE_MS = 60 * 60 * 1000;

/** The temporary key of a blob being written, with the time its writer started. */
const incomingKey = (startedAt: number): string => `incoming-${startedAt}-${randomUUID()}`;
const INCOMING_STARTED = /^incoming-(\d+)-/;

type Source = Iterable<Buffer | string> | AsyncIterable<Buffer | string> | Readable;

export class BlobsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes a stream of bytes, a chunk at a time, and returns its reference. */
  async putStream(source: Source): Promise<StoredBlob> {
    const incoming = incomingKey(Date.now());
    const hash = createHash("sha256");
    let bytes = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const writeChunk = async (data: Buffer): Promise<void> => {
      await this.db.insertInto("blob_chunks").values({ ref: incoming, seq: seq++, data }).execute();
    };
    try {
      for await (const piece of Readable.from(source)) {
        let data = typeof piece === "string" ? Buffer.from(piece, "utf8") : (piece as Buffer);
        hash.update(data);
        bytes += data.length;
        while (pendingBytes + data.length >= BLOB_CHUNK_BYTES) {
          const take = BLOB_CHUNK_BYTES - pendingBytes;
          await writeChunk(Buffer.concat([...pending, data.subarray(0, take)]));
          data = data.subarray(take);
          pending = [];
          pendingBytes = 0;
        }
        if (data.length > 0) {
          pending.push(data);
          pendingBytes += data.length;
        }
      }
      if (pendingBytes > 0) await writeChunk(Buffer.concat(pending));
      const ref = hash.digest("hex");
      await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto("blobs")
          .values({ ref, bytes, created_at: timestamp() })
          .onConflict((oc) => oc.column("ref").doNothing())
          .executeTakeFirst();
        if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) {
          await trx.updateTable("blob_chunks").set({ ref }).where("ref", "=", incoming).execute();
        } else {
          // The same content is stored already: this copy goes.
          await trx.deleteFrom("blob_chunks").where("ref", "=", incoming).execute();
        }
      });
      return { ref, bytes };
    } catch (error) {
      await this.db
        .deleteFrom("blob_chunks")
        .where("ref", "=", incoming)
        .execute()
        .catch(() => undefined);
      throw error;
    }
  }

  /**
   * Deletes the chunks of writes that never finished (a process killed mid-write leaves them under
   * their temporary key) once they are older than any write lasts. A key without a start time was
   * written by an older build, which no process still running can be writing to.
   */
  async sweepAbandonedWrites(olderThanMs = ABANDONED_WRITE_MS, now = Date.now()): Promise<number> {
    const keys = await this.db
      .selectFrom("blob_chunks")
      .select("ref")
      .distinct()
      .where("ref", "like", "incoming-%")
      .execute();
    const abandoned = keys
      .map((row) => row.ref)
      .filter((ref) => {
        const started = INCOMING_STARTED.exec(ref);
        return !started || now - Number(started[1]) > olderThanMs;
      });
    for (const ref of abandoned) await this.db.deleteFrom("blob_chunks").where("ref", "=", ref).execute();
    return abandoned.length;
  }

  /** Writes bytes already in memory (small callers, tests). */
  put(data: string | Buffer): Promise<StoredBlob> {
    return this.putStream([typeof data === "string" ? Buffer.from(data, "utf8") : data]);
  }

  /**
   * The blob's bytes as a stream, read a chunk at a time; with `range` (inclusive, within the blob)
   * only those bytes, starting at the chunk that holds the first. `bytes` is the whole blob's size.
   * BlobNotFoundError when it is not stored.
   */
  async open(ref: string, range?: { start: number; end: number }): Promise<{ stream: Readable; bytes: number }> {
    const bytes = await this.size(ref);
    const { start, end } = range ?? { start: 0, end: bytes - 1 };
    return { stream: Readable.from(this.chunks(ref, start, end)), bytes };
  }

  /** The blob's size in bytes; BlobNotFoundError when it is not stored. */
  async size(ref: string): Promise<number> {
    if (!REF.test(ref)) throw new BlobNotFoundError(`not a blob reference: ${JSON.stringify(ref)}`);
    const row = await this.db.selectFrom("blobs").select("bytes").where("ref", "=", ref).executeTakeFirst();
    if (!row) throw new BlobNotFoundError(`blob ${ref} is not stored`);
    return Number(row.bytes);
  }

  /** The whole blob as text: only for consumers that need it whole (delivery applies the diff). */
  async readText(ref: string): Promise<string> {
    const { stream } = await this.open(ref);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  /** Bytes `start` to `end` (inclusive): every chunk but the last is BLOB_CHUNK_BYTES long (putStream). */
  private async *chunks(ref: string, start: number, end: number): AsyncGenerator<Buffer> {
    let offset = Math.floor(start / BLOB_CHUNK_BYTES) * BLOB_CHUNK_BYTES;
    for (let seq = offset / BLOB_CHUNK_BYTES; offset <= end; seq++) {
      const row = await this.db
        .selectFrom("blob_chunks")
        .select("data")
        .where("ref", "=", ref)
        .where("seq", "=", seq)
        .executeTakeFirst();
      if (!row) return;
      const data = Buffer.from(row.data);
      const from = Math.max(0, start - offset);
      const to = Math.min(data.length, end - offset + 1);
      if (from < to) yield from === 0 && to === data.length ? data : data.subarray(from, to);
      offset += data.length;
    }
  }
}

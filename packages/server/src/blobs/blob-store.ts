/**
 * Large task artefacts (a diff past the inline cap, a command's whole output) live as files, not
 * as database rows or strings: a row holds a bounded head and a reference, and readers stream the
 * file. Blobs are content-addressed (`<root>/<sha256>`), written to a temporary file while hashed,
 * then renamed into place, so a reader never sees half a blob and equal content is stored once.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface StoredBlob {
  /** The blob's sha256 in hex: what a row stores to find it again. */
  ref: string;
  bytes: number;
}

const REF = /^[0-9a-f]{64}$/;

export class BlobNotFoundError extends Error {}

export class BlobStore {
  constructor(readonly root: string) {}

  /** Writes a stream of bytes (never held whole) and returns its reference. */
  async putStream(source: Iterable<Buffer | string> | AsyncIterable<Buffer | string> | Readable): Promise<StoredBlob> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const temporary = path.join(this.root, `.incoming-${randomUUID()}`);
    const hash = createHash("sha256");
    let bytes = 0;
    const counting = new Transform({
      transform(chunk: Buffer | string, _encoding, done) {
        const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
        hash.update(data);
        bytes += data.length;
        done(null, data);
      },
    });
    try {
      await pipeline(Readable.from(source), counting, createWriteStream(temporary, { mode: 0o600 }));
      const ref = hash.digest("hex");
      await rename(temporary, this.pathOf(ref));
      return { ref, bytes };
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Writes bytes already in memory (small callers, tests). */
  put(data: string | Buffer): Promise<StoredBlob> {
    return this.putStream([typeof data === "string" ? Buffer.from(data, "utf8") : data]);
  }

  /** The blob's bytes as a stream; BlobNotFoundError when it is not (or no longer) here. */
  async open(ref: string): Promise<{ stream: Readable; bytes: number }> {
    const file = this.pathOf(ref);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new BlobNotFoundError(`blob ${ref} is not in the blob store`);
    return { stream: createReadStream(file), bytes: info.size };
  }

  /** The whole blob as text: only for consumers that need it whole (delivery applies the diff). */
  async readText(ref: string): Promise<string> {
    const { stream } = await this.open(ref);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  private pathOf(ref: string): string {
    // A reference comes from a row Quire wrote, but it names a file: only ever a hex digest.
    if (!REF.test(ref)) throw new BlobNotFoundError(`not a blob reference: ${JSON.stringify(ref)}`);
    return path.join(this.root, ref);
  }
}

/** The blob store of a Quire home. */
export function blobStoreIn(home: string): BlobStore {
  return new BlobStore(path.join(home, "blobs"));
}

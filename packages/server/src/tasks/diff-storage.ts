/**
 * Where an attempt's diff is kept: in its row while it is small, as a blob (in the database) past the inline
 * cap (config.toml `limits.diff_inline_bytes`), the row then keeping the head, the size and the
 * blob's reference. Readers that need the diff whole stream the blob (the /diff route) or read it
 * through `wholeDiffOf` (delivery, which applies it).
 */
import type { Attempt, BlobsRepo } from "../storage/index.js";
import { diffHead, EVENT_DIFF_MAX_BYTES, truncatedDiff } from "./event-diff.js";

export interface StoredDiff {
  diff: string;
  diffBlob: string | null;
  diffBytes: number | null;
}

export async function storeDiff(
  diff: string,
  blobs: BlobsRepo,
  inlineBytes = EVENT_DIFF_MAX_BYTES,
): Promise<StoredDiff> {
  if (diff.length * 3 <= inlineBytes || Buffer.byteLength(diff, "utf8") <= inlineBytes) {
    return { diff, diffBlob: null, diffBytes: null };
  }
  const stored = await blobs.putStream(inChunks(diff));
  return {
    diff: truncatedDiff(diffHead(diff, inlineBytes), stored.bytes),
    diffBlob: stored.ref,
    diffBytes: stored.bytes,
  };
}

/** The attempt's whole diff, from its row or its blob. */
export async function wholeDiffOf(attempt: Pick<Attempt, "diff" | "diffBlob">, blobs: BlobsRepo): Promise<string> {
  if (attempt.diffBlob) return blobs.readText(attempt.diffBlob);
  return attempt.diff ?? "";
}

/** The text as UTF-8 in 1 MiB pieces: writing it never makes a second whole copy of it. */
function* inChunks(text: string, units = 1024 * 1024): Generator<Buffer> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + units, text.length);
    // Never split a surrogate pair between two pieces.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield Buffer.from(text.slice(start, end), "utf8");
    start = end;
  }
}

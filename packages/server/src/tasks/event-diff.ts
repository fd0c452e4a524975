/**
 * The diff an event carries is bounded: events are stored, replayed to every viewer and sent as
 * JSON, so a task that changed hundreds of MB would otherwise make each of those hold it. Past the
 * bound the event carries the diff's head, cut at a line, a marker, its full size and
 * `diff_truncated`; the whole diff is served as text by GET /api/tasks/{id}/diff.
 */

/** 1 MiB by default (config.toml `limits.diff_inline_bytes`): larger is not read in an event log anyway. */
export const EVENT_DIFF_MAX_BYTES = 1024 * 1024;

export interface EventDiff {
  diff: string;
  diff_truncated?: true;
  diff_bytes?: number;
}

/** The first bytes of a diff, at most maxBytes, cut at a line end. */
export function diffHead(diff: string, maxBytes: number): string {
  // Each unit is at least one byte, so the first maxBytes units hold at least the allowed bytes.
  let head = diff.slice(0, maxBytes);
  while (Buffer.byteLength(head, "utf8") > maxBytes) head = head.slice(0, Math.floor(head.length * 0.9));
  const lastLine = head.lastIndexOf("\n");
  return lastLine > 0 ? head.slice(0, lastLine + 1) : head;
}

/** The head of a diff of `bytes` in all, with the marker that says where the rest is. */
export function truncatedDiff(head: string, bytes: number): string {
  const marker = `… diff truncated: ${bytes} bytes in all, ${Buffer.byteLength(head, "utf8")} shown; download the whole diff from /api/tasks/{id}/diff …\n`;
  return `${head}${marker}`;
}

export function diffForEvent(diff: string, maxBytes = EVENT_DIFF_MAX_BYTES): EventDiff {
  // A string of n UTF-16 units is at most 3n bytes: cheap early exit before counting.
  if (diff.length * 3 <= maxBytes) return { diff };
  const bytes = Buffer.byteLength(diff, "utf8");
  if (bytes <= maxBytes) return { diff };
  return { diff: truncatedDiff(diffHead(diff, maxBytes), bytes), diff_truncated: true, diff_bytes: bytes };
}

/** A stored attempt's diff for an event: a diff kept in the blob store is already its head. */
export function storedDiffForEvent(attempt: {
  diff?: string | null;
  diffBlob?: string | null;
  diffBytes?: number | null;
}): EventDiff {
  if (attempt.diffBlob && attempt.diffBytes !== null && attempt.diffBytes !== undefined) {
    return { diff: attempt.diff ?? "", diff_truncated: true, diff_bytes: attempt.diffBytes };
  }
  return diffForEvent(attempt.diff ?? "");
}

/** An attempt as JSON: its diff bounded like an event's, with `diffTruncated` and `diffBytes` when cut. */
export function attemptForJson<T extends { diff: string | null; diffBlob?: string | null; diffBytes?: number | null }>(
  attempt: T,
): Omit<T, "diffBlob" | "diffBytes"> & { diffTruncated?: true; diffBytes?: number } {
  // Where the blob lives is the server's business, not the API's.
  const { diffBlob: _blob, diffBytes: _bytes, ...rest } = attempt;
  if (attempt.diff === null) return rest;
  const bounded = storedDiffForEvent(attempt);
  if (!bounded.diff_truncated) return rest;
  return { ...rest, diff: bounded.diff, diffTruncated: true, diffBytes: bounded.diff_bytes! };
}

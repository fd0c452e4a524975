/**
 * The diff an event carries is bounded: events are stored, replayed to every viewer and sent as
 * JSON, so a task that changed hundreds of MB would otherwise make each of those hold it. Past the
 * bound the event carries the diff's head, cut at a line, a marker, its full size and
 * `diff_truncated`; the whole diff is served as text by GET /api/tasks/{id}/diff.
 */

/** 1 MiB: a diff larger than this is not read in a browser's event log anyway. */
export const EVENT_DIFF_MAX_BYTES = 1024 * 1024;

export interface EventDiff {
  diff: string;
  diff_truncated?: true;
  diff_bytes?: number;
}

export function diffForEvent(diff: string, maxBytes = EVENT_DIFF_MAX_BYTES): EventDiff {
  // A string of n UTF-16 units is at most 3n bytes: cheap early exit before counting.
  if (diff.length * 3 <= maxBytes) return { diff };
  const bytes = Buffer.byteLength(diff, "utf8");
  if (bytes <= maxBytes) return { diff };
  // Each unit is at least one byte, so the first maxBytes units hold at least the allowed bytes.
  let head = diff.slice(0, maxBytes);
  while (Buffer.byteLength(head, "utf8") > maxBytes) head = head.slice(0, Math.floor(head.length * 0.9));
  const lastLine = head.lastIndexOf("\n");
  if (lastLine > 0) head = head.slice(0, lastLine + 1);
  const marker = `… diff truncated: ${bytes} bytes in all, ${Buffer.byteLength(head, "utf8")} shown; download the whole diff from /api/tasks/{id}/diff …\n`;
  return { diff: `${head}${marker}`, diff_truncated: true, diff_bytes: bytes };
}

/** An attempt as JSON: its diff bounded like an event's, with `diffTruncated` and `diffBytes` when cut. */
export function attemptForJson<T extends { diff: string | null }>(
  attempt: T,
): T & { diffTruncated?: true; diffBytes?: number } {
  if (attempt.diff === null) return attempt;
  const bounded = diffForEvent(attempt.diff);
  if (!bounded.diff_truncated) return attempt;
  return { ...attempt, diff: bounded.diff, diffTruncated: true, diffBytes: bounded.diff_bytes };
}

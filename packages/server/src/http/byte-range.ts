/**
 * One byte range of a `Range: bytes=…` header (RFC 9110 §14), for paging through a large body such
 * as a task's diff: `bytes=0-1048575`, `bytes=1048576-` (to the end) or `bytes=-4096` (the last
 * 4096). A header that is not a single byte range is ignored (the whole body is served, as the RFC
 * allows); a range that starts past the end is unsatisfiable (416).
 */
export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

const SINGLE = /^bytes=(\d*)-(\d*)$/;

export function byteRangeOf(header: string | undefined, size: number): ByteRange | "unsatisfiable" | null {
  if (header === undefined) return null;
  const match = SINGLE.exec(header.trim());
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    // A suffix: the last N bytes (all of a smaller body); none of an empty one.
    const length = Number(last);
    if (length === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** The headers of a 206 answer, or of the 416 that says how large the body is. */
export function rangeHeaders(range: ByteRange | "unsatisfiable", size: number): Record<string, string> {
  if (range === "unsatisfiable") return { "content-range": `bytes */${size}` };
  return {
    "content-range": `bytes ${range.start}-${range.end}/${size}`,
    "content-length": String(range.end - range.start + 1),
  };
}

import { describe, expect, it } from "vitest";
import { byteRangeOf, rangeHeaders } from "./byte-range.js";

describe("byteRangeOf", () => {
  it("reads a first-last range, an open end and a suffix, clamped to the body", () => {
    expect(byteRangeOf("bytes=0-99", 1000)).toEqual({ start: 0, end: 99 });
    expect(byteRangeOf("bytes=900-", 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRangeOf("bytes=900-5000", 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRangeOf("bytes=-100", 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRangeOf("bytes=-5000", 1000)).toEqual({ start: 0, end: 999 });
  });

  it("says a range past the end (or of an empty body) cannot be had", () => {
    expect(byteRangeOf("bytes=1000-", 1000)).toBe("unsatisfiable");
    expect(byteRangeOf("bytes=-0", 1000)).toBe("unsatisfiable");
    expect(byteRangeOf("bytes=0-", 0)).toBe("unsatisfiable");
  });

  it("ignores what is not one byte range, so the whole body is served", () => {
    for (const header of [undefined, "bytes=0-1,5-9", "items=0-1", "bytes=-", "bytes=9-1", "bytes=a-b"])
      expect(byteRangeOf(header, 1000)).toBeNull();
  });
});

describe("rangeHeaders", () => {
  it("names the range and its length, or only the size when none can be had", () => {
    expect(rangeHeaders({ start: 10, end: 19 }, 100)).toEqual({
      "content-range": "bytes 10-19/100",
      "content-length": "10",
    });
    expect(rangeHeaders("unsatisfiable", 100)).toEqual({ "content-range": "bytes */100" });
  });
});

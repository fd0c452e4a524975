import { describe, expect, it } from "vitest";
import { normalizePunctuation, seekSequence } from "./seek-sequence.js";

describe("seekSequence", () => {
  it("finds an exact match at or after the start", () => {
    expect(seekSequence(["foo", "bar", "baz", "bar", "baz"], ["bar", "baz"], 0, false)).toBe(1);
    expect(seekSequence(["foo", "bar", "baz", "bar", "baz"], ["bar", "baz"], 2, false)).toBe(3);
    expect(seekSequence(["foo"], ["nope"], 0, false)).toBeUndefined();
  });

  it("prefers an exact match over a tolerant one earlier in the file", () => {
    expect(seekSequence(["x  ", "x"], ["x"], 0, false)).toBe(1);
  });

  it("tries each tolerance level over the whole file before the next, looser one", () => {
    // Trailing-whitespace match at 1 beats a trimmed match at 0.
    expect(seekSequence([" x", "x "], ["x"], 0, false)).toBe(1);
    // Trimmed match at 1 beats a punctuation-normalised match at 0.
    expect(seekSequence(["\u2013x", "  -x"], ["-x"], 0, false)).toBe(1);
  });

  it("ignores trailing whitespace", () => {
    expect(seekSequence(["foo   ", "bar\t\t"], ["foo", "bar"], 0, false)).toBe(0);
  });

  it("ignores leading and trailing whitespace", () => {
    expect(seekSequence(["    foo   ", "   bar\t"], ["foo", "bar"], 0, false)).toBe(0);
    expect(seekSequence(["    foo"], ["foo  "], 0, false)).toBe(0);
  });

  it("matches ASCII patterns against typographic dashes, quotes and Unicode spaces", () => {
    const file = [
      "import asyncio  # local import \u2013 avoids top\u2011level dep",
      "say(\u201Chello\u201D, \u2018x\u2019)",
      "a\u00A0=\u2009b \u2014 c\u2212d\u3000e",
    ];
    expect(seekSequence(file, ["import asyncio  # local import - avoids top-level dep"], 0, false)).toBe(0);
    expect(seekSequence(file, ["say(\"hello\", 'x')"], 0, false)).toBe(1);
    expect(seekSequence(file, ["a = b - c-d e"], 0, false)).toBe(2);
    expect(seekSequence(file, ["a = b + c-d e"], 0, false)).toBeUndefined();
  });

  it("normalises each look-alike to ASCII", () => {
    expect(normalizePunctuation(" \u2010\u2011\u2012\u2013\u2014\u2015\u2212 ")).toBe("-------");
    expect(normalizePunctuation("\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F")).toBe("''''\"\"\"\"");
    expect(
      normalizePunctuation("a\u00A0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000b"),
    ).toBe(`a${" ".repeat(13)}b`);
  });

  it("with endOfFile, only matches at the end of the file", () => {
    const lines = ["x", "end", "x", "end"];
    expect(seekSequence(lines, ["x", "end"], 0, true)).toBe(2);
    expect(seekSequence(["end", "other"], ["end"], 0, true)).toBeUndefined();
  });

  it("matches an empty pattern at the start and never matches a pattern longer than the file", () => {
    expect(seekSequence(["a"], [], 5, false)).toBe(5);
    expect(seekSequence(["just one line"], ["too", "many", "lines"], 0, false)).toBeUndefined();
  });

  it("finds what a position-by-position comparison finds, on many small random files", () => {
    // The line-by-line definition the rolling-hash search must agree with.
    const same = [
      (a: string, b: string) => a === b,
      (a: string, b: string) => a.trimEnd() === b.trimEnd(),
      (a: string, b: string) => a.trim() === b.trim(),
      (a: string, b: string) => normalizePunctuation(a) === normalizePunctuation(b),
    ];
    const naive = (lines: string[], pattern: string[], start: number, endOfFile: boolean) => {
      if (pattern.length === 0) return start;
      const last = lines.length - pattern.length;
      for (const equal of same) {
        for (let at = endOfFile ? last : start; at <= last; at++) {
          if (at >= 0 && pattern.every((line, offset) => equal(lines[at + offset] ?? "", line))) return at;
        }
      }
      return undefined;
    };
    const alphabet = ["a", "a ", " a", "b", "\u2013", "-", ""];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = () => alphabet[random(alphabet.length)] as string;
    for (let round = 0; round < 3000; round++) {
      const lines = Array.from({ length: random(12) }, pick);
      const pattern = Array.from({ length: 1 + random(3) }, pick);
      const start = random(lines.length + 1);
      const endOfFile = random(4) === 0;
      expect(seekSequence(lines, pattern, start, endOfFile), JSON.stringify({ lines, pattern, start, endOfFile })).toBe(
        naive(lines, pattern, start, endOfFile),
      );
    }
  });
});

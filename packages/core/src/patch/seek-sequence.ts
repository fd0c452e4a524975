/**
 * Finding a chunk's lines in a file, with the tolerance of Codex's seek_sequence.rs: models copy
 * context imperfectly (trailing spaces, indentation, ASCII quotes for typographic ones), so each
 * pass accepts a little more than the last and the strictest pass that matches wins.
 */

const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F]/g;
const ODD_SPACES = /[\u00A0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000]/g;

/** Trims and maps common Unicode punctuation look-alikes to ASCII (dashes, quotes, spaces). */
export function normalizePunctuation(line: string): string {
  return line
    .trim()
    .replace(DASHES, "-")
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(ODD_SPACES, " ");
}

type LineComparison = (fileLine: string, patternLine: string) => boolean;

/** The passes, strictest first. */
const COMPARISONS: LineComparison[] = [
  (a, b) => a === b,
  (a, b) => a.trimEnd() === b.trimEnd(),
  (a, b) => a.trim() === b.trim(),
  (a, b) => normalizePunctuation(a) === normalizePunctuation(b),
];

/**
 * Index of the first place at or after `start` where `pattern` occurs in `lines`, or undefined.
 * With `endOfFile`, only the last possible position is tried (the chunk must end the file), as in
 * Codex. An empty pattern matches at `start`.
 */
export function seekSequence(
  lines: readonly string[],
  pattern: readonly string[],
  start: number,
  endOfFile: boolean,
): number | undefined {
  if (pattern.length === 0) return start;
  if (pattern.length > lines.length) return undefined;
  const lastStart = lines.length - pattern.length;
  const searchStart = endOfFile ? lastStart : start;
  for (const same of COMPARISONS) {
    for (let at = searchStart; at <= lastStart; at++) {
      if (pattern.every((patternLine, offset) => same(lines[at + offset] ?? "", patternLine))) return at;
    }
  }
  return undefined;
}

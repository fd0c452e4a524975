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

/**
 * The passes, strictest first. Each is an equality of keys, so the keys of a file's lines are
 * computed once per pass and searched for with a rolling hash: linear in the file's length, where
 * comparing line by line at every position is quadratic (a 20,000-line chunk against a
 * 40,000-line file of alike lines took minutes).
 */
const PASS_KEYS: ((line: string) => string)[] = [
  (line) => line,
  (line) => line.trimEnd(),
  (line) => line.trim(),
  normalizePunctuation,
];

interface PassIndex {
  keys: string[];
  hashes: Int32Array;
}

/** Keys and hashes of a file's lines per pass, kept while the lines array lives (one patch's chunks share it). */
const passIndexes = new WeakMap<readonly string[], PassIndex[]>();

function passIndex(lines: readonly string[], pass: number): PassIndex {
  let indexes = passIndexes.get(lines);
  if (!indexes) {
    indexes = [];
    passIndexes.set(lines, indexes);
  }
  let index = indexes[pass];
  if (!index) {
    const key = PASS_KEYS[pass] as (line: string) => string;
    const keys = lines.map((line) => key(line));
    index = { keys, hashes: Int32Array.from(keys, hashLine) };
    indexes[pass] = index;
  }
  return index;
}

/** FNV-1a over the UTF-16 code units, seeded per process so that collisions cannot be planned. */
const SEED = (Math.random() * 0x7fffffff) | 0;
function hashLine(text: string): number {
  let hash = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Odd multiplier of the rolling hash over line hashes (arithmetic modulo 2^32). */
const BASE = (((Math.random() * 0x3fffffff) | 0) * 2 + 1) | 0;

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
  const searchStart = Math.max(0, endOfFile ? lastStart : start);
  if (searchStart > lastStart) return undefined;
  for (let pass = 0; pass < PASS_KEYS.length; pass++) {
    const found = seekInPass(passIndex(lines, pass), pattern, pass, searchStart, endOfFile ? lastStart : undefined);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Rabin–Karp over line hashes; a hash hit is confirmed key by key. */
function seekInPass(
  index: PassIndex,
  pattern: readonly string[],
  pass: number,
  from: number,
  only: number | undefined,
): number | undefined {
  const key = PASS_KEYS[pass] as (line: string) => string;
  const patternKeys = pattern.map((line) => key(line));
  const length = patternKeys.length;
  const lastStart = only ?? index.keys.length - length;
  const { keys, hashes } = index;
  let wanted = 0;
  let window = 0;
  let highPower = 1;
  for (let i = 0; i < length; i++) {
    wanted = (Math.imul(wanted, BASE) + hashLine(patternKeys[i] as string)) | 0;
    window = (Math.imul(window, BASE) + (hashes[from + i] as number)) | 0;
    if (i > 0) highPower = Math.imul(highPower, BASE);
  }
  for (let at = from; at <= lastStart; at++) {
    if (at > from) {
      const leaving = Math.imul(hashes[at - 1] as number, highPower);
      window = (Math.imul((window - leaving) | 0, BASE) + (hashes[at + length - 1] as number)) | 0;
    }
    if (window === wanted && patternKeys.every((wantedKey, offset) => keys[at + offset] === wantedKey)) return at;
  }
  return undefined;
}

/**
 * Parser for Codex's apply_patch format, with the leniency of codex-rs/apply-patch/src/parser.rs:
 *
 *   start: "*** Begin Patch" LF hunk+ "*** End Patch" LF?
 *   hunk: "*** Add File: " path LF ("+" line LF)*
 *       | "*** Delete File: " path LF
 *       | "*** Update File: " path LF ("*** Move to: " path LF)? chunk+
 *   chunk: ("@@" | "@@ " context) LF (("+" | "-" | " ") line LF)+ ("*** End of File" LF)?
 *
 * Leniencies, all as in Codex: the markers and file headers may be padded with whitespace; the first
 * chunk may omit its `@@` line; an empty line inside a chunk is an empty context line; blank lines
 * between chunks are skipped; the patch may be wrapped in a heredoc (`<<'EOF'` ... `EOF`).
 */
import { type ParsedPatch, type PatchHunk, PatchParseError, type UpdateChunk } from "./types.js";

const BEGIN_PATCH = "*** Begin Patch";
const END_PATCH = "*** End Patch";
const ADD_FILE = "*** Add File: ";
const DELETE_FILE = "*** Delete File: ";
const UPDATE_FILE = "*** Update File: ";
const MOVE_TO = "*** Move to: ";
const END_OF_FILE = "*** End of File";
const EMPTY_CONTEXT = "@@";
const CONTEXT_PREFIX = "@@ ";

/** The patch's lines (without line terminators) and the 1-based number of the first one. */
interface Lines {
  items: string[];
  firstLineNumber: number;
}

export function parsePatch(text: string): ParsedPatch {
  const lines = splitTrimmed(text);
  const body = stripBoundaries(lines);
  const hunks = parseHunks(body);
  if (hunks.length === 0) {
    throw new PatchParseError(
      `Invalid patch: no file operations between '${BEGIN_PATCH}' and '${END_PATCH}'; no files were modified.`,
      body.firstLineNumber,
    );
  }
  return { hunks };
}

/** Splits like Rust's `str::trim().lines()`: CRLF or LF endings, no trailing empty line. */
function splitTrimmed(text: string): Lines {
  const trimmed = text.trim();
  // Count the blank lines trim() removed so that reported line numbers match the caller's text.
  const leading = text.slice(0, text.length - text.trimStart().length);
  const firstLineNumber = 1 + (leading.match(/\n/g)?.length ?? 0);
  if (trimmed === "") return { items: [], firstLineNumber };
  const items = trimmed.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  return { items, firstLineNumber };
}

/** Returns the lines between the Begin/End markers, unwrapping a heredoc around the patch if needed. */
function stripBoundaries(lines: Lines): Lines {
  const strict = checkMarkers(lines);
  if (!(strict instanceof PatchParseError)) return strict;
  // Models sometimes send `<<'EOF'\n*** Begin Patch ... *** End Patch\nEOF` as the patch itself.
  const { items } = lines;
  const delimiter = heredocDelimiter(items[0]);
  const last = items[items.length - 1];
  if (delimiter !== undefined && last !== undefined && items.length >= 4 && last.trimEnd().endsWith(delimiter)) {
    const inner = checkMarkers({ items: items.slice(1, -1), firstLineNumber: lines.firstLineNumber + 1 });
    if (inner instanceof PatchParseError) throw inner;
    return inner;
  }
  throw strict;
}

/** `<<EOF`, `<<'EOF'`, `<<"EOF"` (any word, as a shell accepts) -> the word. */
function heredocDelimiter(line: string | undefined): string | undefined {
  const match = line?.trimEnd().match(/^<<-?\s*(?:'(\w+)'|"(\w+)"|(\w+))$/);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

function checkMarkers(lines: Lines): Lines | PatchParseError {
  const { items, firstLineNumber } = lines;
  if (items.length === 0) return new PatchParseError("Invalid patch: the patch is empty.", firstLineNumber);
  const first = items[0] ?? "";
  if (first.trim() !== BEGIN_PATCH) {
    return new PatchParseError(
      `Invalid patch: The first line of the patch must be '${BEGIN_PATCH}' (line ${firstLineNumber} is '${first}').`,
      firstLineNumber,
    );
  }
  const lastLineNumber = firstLineNumber + items.length - 1;
  const last = items[items.length - 1] ?? "";
  if (items.length < 2 || last.trim() !== END_PATCH) {
    return new PatchParseError(
      `Invalid patch: The last line of the patch must be '${END_PATCH}' (line ${lastLineNumber} is '${last}').`,
      lastLineNumber,
    );
  }
  return { items: items.slice(1, -1), firstLineNumber: firstLineNumber + 1 };
}

function hunkError(message: string, lineNumber: number): PatchParseError {
  return new PatchParseError(`Invalid patch hunk on line ${lineNumber}: ${message}`, lineNumber);
}

function parseHunks(body: Lines): PatchHunk[] {
  const hunks: PatchHunk[] = [];
  let index = 0;
  while (index < body.items.length) {
    const { hunk, consumed } = parseOneHunk(body, index);
    hunks.push(hunk);
    index += consumed;
  }
  return hunks;
}

function parseOneHunk(body: Lines, start: number): { hunk: PatchHunk; consumed: number } {
  const { items } = body;
  const lineNumber = body.firstLineNumber + start;
  // Headers tolerate surrounding whitespace (the body lines after them do not).
  const header = (items[start] ?? "").trim();

  if (header.startsWith(ADD_FILE)) {
    let contents = "";
    let index = start + 1;
    for (let line = items[index]; line?.startsWith("+"); line = items[++index]) {
      contents += `${line.slice(1)}\n`;
    }
    return { hunk: { kind: "add", path: header.slice(ADD_FILE.length), contents }, consumed: index - start };
  }

  if (header.startsWith(DELETE_FILE)) {
    return { hunk: { kind: "delete", path: header.slice(DELETE_FILE.length) }, consumed: 1 };
  }

  if (header.startsWith(UPDATE_FILE)) {
    const path = header.slice(UPDATE_FILE.length);
    let index = start + 1;
    let movePath: string | undefined;
    if (items[index]?.startsWith(MOVE_TO)) {
      movePath = items[index]?.slice(MOVE_TO.length);
      index += 1;
    }
    const chunks: UpdateChunk[] = [];
    while (index < items.length) {
      const line = items[index] ?? "";
      if (line.trim() === "") {
        index += 1; // blank lines may separate chunks
        continue;
      }
      if (line.startsWith("*")) break; // the next hunk header or a stray marker
      const parsed = parseChunk(body, index, chunks.length === 0);
      chunks.push(parsed.chunk);
      index += parsed.consumed;
    }
    if (chunks.length === 0) throw hunkError(`Update file hunk for path '${path}' is empty`, lineNumber);
    const hunk: PatchHunk =
      movePath === undefined ? { kind: "update", path, chunks } : { kind: "update", path, movePath, chunks };
    return { hunk, consumed: index - start };
  }

  throw hunkError(
    `'${header}' is not a valid hunk header. Valid hunk headers: '${ADD_FILE}{path}', '${DELETE_FILE}{path}', '${UPDATE_FILE}{path}'`,
    lineNumber,
  );
}

function parseChunk(
  body: Lines,
  start: number,
  allowMissingContext: boolean,
): { chunk: UpdateChunk; consumed: number } {
  const { items } = body;
  const lineNumberOf = (index: number) => body.firstLineNumber + index;
  const first = items[start] ?? "";
  let changeContext: string | undefined;
  let bodyStart = start + 1;
  if (first === EMPTY_CONTEXT) {
    changeContext = undefined;
  } else if (first.startsWith(CONTEXT_PREFIX)) {
    changeContext = first.slice(CONTEXT_PREFIX.length);
  } else if (allowMissingContext) {
    bodyStart = start; // the first chunk of a file may start directly with diff lines
  } else {
    throw hunkError(`Expected update hunk to start with a @@ context marker, got: '${first}'`, lineNumberOf(start));
  }
  if (bodyStart >= items.length) throw hunkError("Update hunk does not contain any lines", lineNumberOf(bodyStart));

  const chunk: UpdateChunk = { oldLines: [], newLines: [], isEndOfFile: false };
  if (changeContext !== undefined) chunk.changeContext = changeContext;
  let index = bodyStart;
  for (; index < items.length; index++) {
    const line = items[index] ?? "";
    if (line === END_OF_FILE) {
      if (index === bodyStart) throw hunkError("Update hunk does not contain any lines", lineNumberOf(index));
      chunk.isEndOfFile = true;
      index += 1;
      break;
    }
    const marker = line[0];
    if (marker === undefined) {
      // An empty line is an empty context line (editors strip the lone space).
      chunk.oldLines.push("");
      chunk.newLines.push("");
    } else if (marker === " ") {
      chunk.oldLines.push(line.slice(1));
      chunk.newLines.push(line.slice(1));
    } else if (marker === "+") {
      chunk.newLines.push(line.slice(1));
    } else if (marker === "-") {
      chunk.oldLines.push(line.slice(1));
    } else if (index === bodyStart) {
      throw hunkError(
        `Unexpected line found in update hunk: '${line}'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)`,
        lineNumberOf(index),
      );
    } else {
      break; // the start of the next chunk or hunk
    }
  }
  return { chunk, consumed: index - start };
}

/**
 * The text side of `*** Update File:`: where each chunk goes and what the file becomes
 * (Codex's compute_replacements / apply_replacements in lib.rs). No file system here.
 */
import { seekSequence } from "./seek-sequence.js";
import type { UpdateChunk } from "./types.js";

/** Replace `oldLength` lines at `start` with `newLines`. */
interface Replacement {
  start: number;
  oldLength: number;
  newLines: string[];
}

/** Why a chunk could not be placed; `hunk` is the 1-based index of the `@@` chunk in its file. */
export class ChunkMismatchError extends Error {
  constructor(
    readonly hunk: number,
    readonly problem: "context" | "lines",
    readonly expected: string,
  ) {
    super(problem === "context" ? `context '${expected}' not found` : `expected lines not found:\n${expected}`);
    this.name = "ChunkMismatchError";
  }
}

/**
 * Applies the chunks to `original` and returns the new text, which always ends with a newline.
 * A file whose every line ends in CRLF keeps CRLF (as Codex does on Windows) rather than getting
 * LF on the edited lines only.
 */
export function updateContents(original: string, chunks: readonly UpdateChunk[]): string {
  const crlf = usesCrlf(original);
  const lines = (crlf ? original.replaceAll("\r\n", "\n") : original).split("\n");
  // The empty element after the final newline is not a line (as `diff` counts lines).
  if (lines[lines.length - 1] === "") lines.pop();
  const replaced = applyReplacements(lines, computeReplacements(lines, chunks));
  if (replaced[replaced.length - 1] !== "") replaced.push("");
  return replaced.join(crlf ? "\r\n" : "\n");
}

/** True when there are line breaks and every one of them is CRLF. */
function usesCrlf(text: string): boolean {
  const lineFeeds = text.split("\n").length - 1;
  return lineFeeds > 0 && text.split("\r\n").length - 1 === lineFeeds;
}

function computeReplacements(lines: readonly string[], chunks: readonly UpdateChunk[]): Replacement[] {
  const replacements: Replacement[] = [];
  let cursor = 0;
  chunks.forEach((chunk, index) => {
    const hunk = index + 1;
    if (chunk.changeContext !== undefined) {
      const at = seekSequence(lines, [chunk.changeContext], cursor, false);
      if (at === undefined) throw new ChunkMismatchError(hunk, "context", chunk.changeContext);
      cursor = at + 1;
    }

    if (chunk.oldLines.length === 0) {
      // A pure addition goes at the end of the file (before a final empty line), as in Codex,
      // whatever its @@ context says.
      const end = lines[lines.length - 1] === "" ? lines.length - 1 : lines.length;
      replacements.push({ start: end, oldLength: 0, newLines: chunk.newLines });
      return;
    }

    let pattern = chunk.oldLines;
    let newLines = chunk.newLines;
    let found = seekSequence(lines, pattern, cursor, chunk.isEndOfFile);
    if (found === undefined && pattern[pattern.length - 1] === "") {
      // A trailing empty line usually stands for the file's final newline, which `lines` lacks.
      pattern = pattern.slice(0, -1);
      if (newLines[newLines.length - 1] === "") newLines = newLines.slice(0, -1);
      found = seekSequence(lines, pattern, cursor, chunk.isEndOfFile);
    }
    if (found === undefined) throw new ChunkMismatchError(hunk, "lines", chunk.oldLines.join("\n"));
    replacements.push({ start: found, oldLength: pattern.length, newLines });
    cursor = found + pattern.length;
  });
  // Stable sort: a pure addition and a later chunk at the same index keep their patch order.
  return replacements.sort((a, b) => a.start - b.start);
}

function applyReplacements(lines: readonly string[], replacements: readonly Replacement[]): string[] {
  const result = [...lines];
  // Last first, so that earlier indices stay valid.
  for (let i = replacements.length - 1; i >= 0; i--) {
    const { start, oldLength, newLines } = replacements[i] as Replacement;
    result.splice(start, oldLength, ...newLines);
  }
  return result;
}

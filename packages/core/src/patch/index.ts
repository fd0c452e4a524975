/** Codex's apply_patch format: parse, match, apply. */
export { type ApplyPatchOptions, applyParsedPatch, applyPatch } from "./apply.js";
export {
  APPLY_PATCH_BUDGET_MS,
  APPLY_PATCH_MEMORY_MB,
  applyPatchInWorker,
  type PatchInWorkerOptions,
} from "./apply-in-worker.js";
export { parsePatch } from "./parse.js";
export { normalizePunctuation, seekSequence } from "./seek-sequence.js";
export { extractPatchFromShellCommand, type ShellApplyPatch } from "./shell-form.js";
export { summarizeChanges } from "./summary.js";
export {
  type AddFileHunk,
  type AppliedChange,
  type DeleteFileHunk,
  type ParsedPatch,
  PatchApplyError,
  type PatchHunk,
  PatchParseError,
  type UpdateChunk,
  type UpdateFileHunk,
} from "./types.js";
export { updateContents } from "./update-contents.js";

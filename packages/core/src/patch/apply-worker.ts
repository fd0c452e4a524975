/**
 * The worker thread that applies patches, one at a time as they are sent (see apply-in-worker.ts):
 * matching and file I/O happen here, so a slow patch or a file that never answers holds this
 * thread, not the host's event loop. For each it reports what the patch intends, each change once
 * made, then how it ended. It keeps nothing from one patch to the next.
 */
import { parentPort } from "node:worker_threads";
import { applyParsedPatch } from "./apply.js";
import { parsePatch } from "./parse.js";
import type { AppliedChange, ParsedPatch } from "./types.js";
import { PatchApplyError, PatchParseError } from "./types.js";

export interface PatchWorkerInput {
  workspace: string;
  patchText: string;
  base?: string;
}

/** A PatchParseError or PatchApplyError (or anything else) as it crosses the thread boundary. */
export interface SerializedPatchError {
  kind: "parse" | "apply" | "other";
  message: string;
  lineNumber?: number;
  path?: string;
  refusedPath?: boolean;
}

export type PatchWorkerMessage =
  | { type: "intended"; changes: AppliedChange[] }
  | { type: "applied"; change: AppliedChange }
  | { type: "done" }
  | { type: "failed"; error: SerializedPatchError };

function intendedChanges(patch: ParsedPatch): AppliedChange[] {
  return patch.hunks.map((hunk) =>
    hunk.kind === "update" && hunk.movePath !== undefined
      ? { kind: "update", path: hunk.path, movePath: hunk.movePath }
      : { kind: hunk.kind, path: hunk.path },
  );
}

function serialize(error: unknown): SerializedPatchError {
  if (error instanceof PatchParseError) return { kind: "parse", message: error.message, lineNumber: error.lineNumber };
  if (error instanceof PatchApplyError) {
    return { kind: "apply", message: error.message, path: error.details.path, refusedPath: error.details.refusedPath };
  }
  return { kind: "other", message: error instanceof Error ? error.message : String(error) };
}

async function apply(input: PatchWorkerInput, post: (message: PatchWorkerMessage) => void): Promise<void> {
  try {
    const patch = parsePatch(input.patchText);
    post({ type: "intended", changes: intendedChanges(patch) });
    await applyParsedPatch(input.workspace, patch, {
      base: input.base,
      onApplied: (change) => post({ type: "applied", change }),
    });
    post({ type: "done" });
  } catch (error) {
    post({ type: "failed", error: serialize(error) });
  }
}

const port = parentPort;
if (!port) throw new Error("apply-worker.js runs as a worker thread only");
port.on("message", (input: PatchWorkerInput) => {
  void apply(input, (message) => port.postMessage(message));
});

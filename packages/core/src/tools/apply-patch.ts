import { z } from "zod";
import type { ThreadItem } from "../events.js";
import { applyPatchInWorker } from "../patch/apply-in-worker.js";
import { type AppliedChange, PatchApplyError, parsePatch, summarizeChanges } from "../patch/index.js";
import { loadToolDescription } from "../instructions/prompts.js";
import { defineTool } from "./define-tool.js";
import { ToolError } from "./errors.js";
import type { ToolContext } from "./types.js";

const applyPatchSchema = z.object({
  input: z.string().describe("The whole patch, from *** Begin Patch to *** End Patch."),
});

type FileChangeItem = Extract<ThreadItem, { type: "file_change" }>;

/** A move is reported as an update of its destination, as Codex does. */
function toEventChanges(changes: readonly AppliedChange[]): FileChangeItem["changes"] {
  return changes.map((change) => ({ kind: change.kind, path: change.movePath ?? change.path }));
}

/** What the patch means to do, for the event of a patch that failed (paths as written). */
function intendedChanges(input: string): AppliedChange[] {
  try {
    return parsePatch(input).hunks.map((hunk) =>
      hunk.kind === "update" && hunk.movePath !== undefined
        ? { kind: "update", path: hunk.path, movePath: hunk.movePath }
        : { kind: hunk.kind, path: hunk.path },
    );
  } catch {
    return [];
  }
}

function emitFileChange(context: ToolContext, item: Omit<FileChangeItem, "id" | "type">): void {
  // Codex emits a file_change only once it is done: item.completed, no item.started.
  context.emitItem("completed", { id: context.nextItemId(), type: "file_change", ...item });
}

export const applyPatchTool = defineTool({
  name: "apply_patch",
  description: loadToolDescription("apply_patch"),
  schema: applyPatchSchema,
  async handler(args, context) {
    if (context.mode === "ask") {
      throw new ToolError("apply_patch refused: this task is in ask mode and the workspace is read-only.");
    }
    try {
      // Off the event loop, within a time budget, stopped by cancel (apply-in-worker.ts).
      const changes = await applyPatchInWorker(context.workspace, args.input, {
        base: context.cwd,
        signal: context.signal,
      });
      emitFileChange(context, { changes: toEventChanges(changes), status: "completed" });
      return { output: `Success. Updated the following files:\n${summarizeChanges(changes)}` };
    } catch (error) {
      // A bad patch is the model's to fix: it gets the error text and the task goes on.
      const message = error instanceof Error ? error.message : String(error);
      emitFileChange(context, {
        changes: toEventChanges(intendedChanges(args.input)),
        status: "failed",
        error: message,
      });
      const applied = error instanceof PatchApplyError ? error.details.applied : [];
      const kept =
        applied.length === 0
          ? ""
          : `\nThese changes were made before the failure and remain:\n${summarizeChanges(applied)}`;
      throw new ToolError(`apply_patch failed: ${message}${kept}`);
    }
  },
});

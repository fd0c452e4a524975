import type { ThreadItem } from "../events.js";
import { applyPatchTool } from "./apply-patch.js";
import { shellTool } from "./shell.js";
import type { TaskMode, Tool } from "./types.js";
import { createUpdatePlanTool, PlanTracker } from "./update-plan.js";
import { viewImageTool } from "./view-image.js";

/**
 * The tools of a task. Ask mode offers no write tool; apply_patch stays callable there only
 * so that a model that sends it anyway is told clearly that the task is read-only.
 */
export function buildToolset(
  mode: TaskMode,
  options: { imageInput?: boolean } = {},
): {
  offered: Tool[];
  hidden: Tool[];
  onTurnEnd: (emit: (item: ThreadItem) => void) => void;
} {
  const plan = new PlanTracker();
  const updatePlan = createUpdatePlanTool(plan);
  const offered = mode === "code" ? [shellTool, applyPatchTool, updatePlan] : [shellTool, updatePlan];
  // Codex's view_image, for models that take images.
  if (options.imageInput) offered.push(viewImageTool);
  return { offered, hidden: mode === "code" ? [] : [applyPatchTool], onTurnEnd: (emit) => plan.complete(emit) };
}

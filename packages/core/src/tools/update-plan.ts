import { z } from "zod";
import type { ThreadItem } from "../events.js";
import { loadToolDescription } from "../instructions/prompts.js";
import { defineTool } from "./define-tool.js";
import { ToolError } from "./errors.js";
import type { Tool, ToolContext } from "./types.js";

const planSchema = z.object({
  explanation: z.string().optional().describe("Why the plan changed, in one sentence."),
  plan: z
    .array(
      z.object({
        step: z.string().min(1),
        status: z.enum(["pending", "in_progress", "completed"]),
      }),
    )
    .describe("All steps, in order; at most one in_progress."),
});

type TodoList = Extract<ThreadItem, { type: "todo_list" }>;

/**
 * The plan is one `todo_list` item per task turn: started by the first update_plan call,
 * updated in place by later ones, and completed by the loop when the turn ends.
 */
export class PlanTracker {
  private current: TodoList | null = null;

  update(context: ToolContext, plan: z.infer<typeof planSchema>["plan"]): void {
    const items = plan.map((entry) => ({ text: entry.step, completed: entry.status === "completed" }));
    if (!this.current) {
      this.current = { id: context.nextItemId(), type: "todo_list", items };
      context.emitItem("started", this.current);
      return;
    }
    this.current = { ...this.current, items };
    context.emitItem("updated", this.current);
  }

  /** Ends the turn's plan item, if there is one. */
  complete(emit: (item: ThreadItem) => void): void {
    if (!this.current) return;
    emit(this.current);
    this.current = null;
  }
}

export function createUpdatePlanTool(tracker: PlanTracker): Tool {
  return defineTool({
    name: "update_plan",
    description: loadToolDescription("update_plan"),
    schema: planSchema,
    async handler(args, context) {
      const inProgress = args.plan.filter((entry) => entry.status === "in_progress").length;
      if (inProgress > 1) throw new ToolError("Plan rejected: at most one step may be in_progress.");
      tracker.update(context, args.plan);
      return { output: "Plan updated." };
    },
  });
}

import { z } from "zod";
import type { ThreadItem } from "../events.js";
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

export function createUpdatePlanTool(tracker: PlanTracker): Tool<typeof planSchema> {
  return {
    name: "update_plan",
    description:
      "Record or revise your step-by-step plan for multi-step work. Send the whole plan each time; keep exactly one step in_progress until all are completed.",
    schema: planSchema,
    async run(args, context) {
      const inProgress = args.plan.filter((entry) => entry.status === "in_progress").length;
      if (inProgress > 1) return { output: "Plan rejected: at most one step may be in_progress." };
      tracker.update(context, args.plan);
      return { output: "Plan updated." };
    },
  };
}

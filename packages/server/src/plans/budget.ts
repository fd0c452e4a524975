/**
 * A task's budget under its plan: a cost in USD (all its attempts and follow-ups together) and a
 * duration per run. The worker calls `checkBudget` after each model call (`meterAndCheck` in
 * metering.ts records the call and checks in one step) and stops the task with the reason when
 * told to. A model without a price has no cost, so only the duration can stop it.
 */
import type { Plan } from "./plan-schema.js";

export interface TaskBudget {
  plan: string;
  maxCostUsd: number | null;
  maxDurationSeconds: number | null;
}

export type BudgetLimit = "max_task_cost_usd" | "max_task_minutes";

export type BudgetDecision = { stop: false } | { stop: true; limit: BudgetLimit; reason: string };

export interface BudgetSpent {
  /** Everything the task has cost so far, including the call just made. */
  taskCostUsd: number;
  /** How long the current run (the task's prompt, or a follow-up) has been going. */
  elapsedSeconds: number;
}

export function budgetFor(plan: Plan): TaskBudget {
  return {
    plan: plan.name,
    maxCostUsd: plan.maxTaskCostUsd,
    maxDurationSeconds: plan.maxTaskMinutes === null ? null : plan.maxTaskMinutes * 60,
  };
}

export function checkBudget(budget: TaskBudget, spent: BudgetSpent): BudgetDecision {
  if (budget.maxCostUsd !== null && spent.taskCostUsd >= budget.maxCostUsd) {
    return {
      stop: true,
      limit: "max_task_cost_usd",
      reason:
        `stopped: the task has cost ${usd(spent.taskCostUsd)}, reaching its budget of ` +
        `${usd(budget.maxCostUsd)} on the ${budget.plan} plan`,
    };
  }
  if (budget.maxDurationSeconds !== null && spent.elapsedSeconds >= budget.maxDurationSeconds) {
    return {
      stop: true,
      limit: "max_task_minutes",
      reason:
        `stopped: the task ran for ${Math.floor(spent.elapsedSeconds / 60)} minutes, reaching the ` +
        `${budget.maxDurationSeconds / 60}-minute limit of the ${budget.plan} plan`,
    };
  }
  return { stop: false };
}

function usd(amount: number): string {
  return `$${amount.toFixed(amount < 0.01 && amount > 0 ? 4 : 2)}`;
}

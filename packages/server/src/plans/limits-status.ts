/**
 * Each limit of a workspace's plan with what is used of it, for the web app's live meter. Read
 * without the admission lock: a meter a moment out of date is fine, and it must not queue behind
 * admissions. `resetAt` is when the meter next goes down (the oldest entry leaves its window).
 */
import type { Repos } from "../storage/index.js";
import { SETTLE_MS, type LimitName } from "./admission.js";
import type { Plan } from "./plan-schema.js";
import { FIVE_HOURS_MS, nextDecreaseAt, WEEK_MS, windowStart } from "./windows.js";

export interface LimitStatus {
  limit: Exclude<LimitName, "max_attempts" | "models">;
  used: number;
  /** Null: unlimited. */
  max: number | null;
  resetAt: string | null;
  /** The rolling window it is counted over, in seconds; null for concurrency. */
  windowSeconds: number | null;
}

export async function limitsStatus(
  repos: Pick<Repos, "admissions">,
  workspaceId: string,
  plan: Plan,
  now: Date = new Date(),
): Promise<LimitStatus[]> {
  const ledger = repos.admissions.reader;
  const statuses: LimitStatus[] = [];
  for (const window of [
    { limit: "tasks_per_5h", max: plan.tasksPer5h, ms: FIVE_HOURS_MS },
    { limit: "tasks_per_week", max: plan.tasksPerWeek, ms: WEEK_MS },
  ] as const) {
    const entries = await ledger.admissionsSince(workspaceId, windowStart(now, window.ms));
    const used = entries.reduce((sum, entry) => sum + entry.amount, 0);
    statuses.push({ limit: window.limit, used, max: window.max, ...reset(entries, window.ms) });
  }
  const held = await ledger.heldTasks(workspaceId, new Date(now.getTime() - SETTLE_MS).toISOString());
  statuses.push({
    limit: "concurrent_tasks",
    used: held.length,
    max: plan.concurrentTasks,
    resetAt: null,
    windowSeconds: null,
  });
  const sandbox = await ledger.sandboxEntriesSince(workspaceId, windowStart(now, WEEK_MS));
  const minutes = sandbox.reduce((sum, entry) => sum + entry.amount, 0) / 60;
  statuses.push({
    limit: "sandbox_minutes_per_week",
    used: Math.round(minutes * 10) / 10,
    max: plan.sandboxMinutesPerWeek,
    ...reset(sandbox, WEEK_MS),
  });
  return statuses;
}

function reset(entries: Parameters<typeof nextDecreaseAt>[0], windowMs: number) {
  return { resetAt: nextDecreaseAt(entries, windowMs)?.toISOString() ?? null, windowSeconds: windowMs / 1000 };
}

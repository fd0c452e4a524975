/**
 * A task's status follows its attempts': active while any attempt is, then final. Whoever sees the
 * last attempt end moves the task to its final status with a compare-and-set, so exactly one caller
 * (worker, reaper or cancel request) writes the task's final event.
 */
import { addUsage, emptyTaskUsage, type QuireEvent, type TaskUsage } from "@quire/core";
import type { EventHub } from "../events/event-hub.js";
import { appendAndPublish } from "../events/event-hub.js";
import { ACTIVE_STATUSES, type Attempt, type Repos, type StoredTaskStatus, type Task } from "../storage/index.js";
import { rankAttempts } from "./ranking.js";
import { storedDiffForEvent } from "./event-diff.js";
import { type Notifier, taskNotice } from "../notifications/index.js";

export interface TaskStatusContext {
  repos: Repos;
  hub: EventHub;
  /** Sends the workspace's webhooks when a task ends; absent where nobody is told (tests, tools). */
  notifier?: Notifier;
}

export function activeStatusOf(attempts: readonly Attempt[]): StoredTaskStatus | undefined {
  for (const status of ["running", "preparing", "queued"] as const) {
    if (attempts.some((attempt) => attempt.status === status)) return status;
  }
  return undefined;
}

export function finalStatusOf(attempts: readonly Attempt[], cancelRequested: boolean): StoredTaskStatus {
  const has = (status: StoredTaskStatus) => attempts.some((attempt) => attempt.status === status);
  if (has("completed")) return "completed";
  if (cancelRequested || has("cancelled")) return "cancelled";
  if (has("interrupted")) return "interrupted";
  return "failed";
}

/** Brings the task's status in line with its attempts; ends the task when none is active. */
export async function syncTaskStatus(ctx: TaskStatusContext, taskId: string): Promise<Task | undefined> {
  const task = await ctx.repos.tasks.get(taskId);
  if (!task) return undefined;
  const attempts = await ctx.repos.attempts.listForTask(taskId);
  const active = activeStatusOf(attempts);
  if (active !== undefined) {
    if (task.status !== active) {
      await ctx.repos.tasks.updateStatus(taskId, active, { from: ACTIVE_STATUSES });
      ctx.hub.publish(taskId);
    }
    return ctx.repos.tasks.get(taskId);
  }
  const ranked = rankAttempts(attempts);
  const best = ranked[0];
  const status = finalStatusOf(attempts, task.cancelRequestedAt !== null);
  const flipped = await ctx.repos.tasks.updateStatus(taskId, status, {
    from: ACTIVE_STATUSES,
    finalMessage: best?.finalMessage ?? null,
    reason: status === "completed" ? null : (best?.reason ?? null),
  });
  // With one attempt, that attempt's own task.completed (appended next by the caller) is the task's.
  if (flipped && task.attemptsRequested > 1) {
    await appendAndPublish(ctx.repos, ctx.hub, taskId, null, [taskFinalEvent(task, status, ranked)]);
  }
  if (flipped && ctx.notifier) await notifyFinished(ctx, ctx.notifier, task, status, best);
  return ctx.repos.tasks.get(taskId);
}

/** Exactly once per ending (the caller that flipped the status): finished, and failed when it did not complete. */
async function notifyFinished(
  ctx: TaskStatusContext,
  notifier: Notifier,
  task: Task,
  status: StoredTaskStatus,
  best: Attempt | undefined,
): Promise<void> {
  const repository = await ctx.repos.repositories.get(task.repositoryId);
  const notice = taskNotice(task, best, status, repository?.name ?? null);
  await notifier.notify("task.finished", notice);
  if (status === "failed" || status === "interrupted") await notifier.notify("task.failed", notice);
}

function taskFinalEvent(task: Task, status: StoredTaskStatus, ranked: Attempt[]): QuireEvent {
  const best = ranked[0];
  return {
    type: "task.completed",
    task_id: task.id,
    status: status === "completed" || status === "cancelled" || status === "interrupted" ? status : "failed",
    final_message: best?.finalMessage ?? null,
    ...storedDiffForEvent(best?.status === "completed" ? best : { diff: "" }),
    usage: sumUsage(ranked),
    ...(status !== "completed" && best?.reason ? { reason: best.reason } : {}),
    ...(best?.verification && best.verification !== "skipped"
      ? { verification: { status: best.verification, log: best.verificationLog ?? "" } }
      : {}),
    ranking: ranked.map((attempt) => attempt.id),
  };
}

function sumUsage(attempts: readonly Attempt[]): TaskUsage {
  const total = emptyTaskUsage();
  for (const attempt of attempts) {
    const usage = attempt.usage;
    if (!usage) continue;
    Object.assign(total, addUsage(total, usage));
    total.model_calls += usage.model_calls;
    total.per_call.push(...usage.per_call);
  }
  return total;
}

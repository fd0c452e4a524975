/**
 * Admitting a task or a follow-up under the workspace's plan: the plan's fixed entitlements
 * (attempts, models) first, then, under the workspace's lock (storage/usage-admissions-repo.ts),
 * the rolling windows, sandbox time and the concurrency cap, and the admission is recorded in the
 * same transaction, so 50 simultaneous requests against a limit of 10 let exactly 10 in.
 *
 * Concurrency counts ledger entries, not tasks, because a task is created after it is admitted:
 * counting tasks would let simultaneous requests all see the same free slot. An admission holds
 * its slot while its task is active in the tasks table, so nothing has to be called when a task
 * ends (the worker, cancel and dead-worker recovery already set the final status, and a
 * forgotten release call cannot leak a slot); `release` frees a slot early, `refund` undoes an
 * admission whose task was never created. Every admission also holds its slot for its first
 * minute (SETTLE_MS), covering the moment between admitting and creating (or reopening) the task.
 */
import type { AdmissionKind, LedgerQueries, Repos } from "../storage/index.js";
import { matchesAnyGlob } from "./glob.js";
import type { Plan } from "./plan-schema.js";
import { FIVE_HOURS_MS, roomAt, secondsUntil, underAt, WEEK_MS, windowStart } from "./windows.js";

export const SETTLE_MS = 60_000;
/** Tasks end at no predictable time; a client told to wait this long polls gently. */
export const CONCURRENCY_RETRY_AFTER_SECONDS = 30;

export type LimitName =
  "tasks_per_5h" | "tasks_per_week" | "concurrent_tasks" | "sandbox_minutes_per_week" | "max_attempts" | "models";

export interface AdmissionRequest {
  workspaceId: string;
  userId: string;
  /** The workspace's effective plan (resolvePlan), overrides applied. */
  plan: Plan;
  kind: AdmissionKind;
  /** The attempts the task starts, or the follow-up continues; each counts one in the windows. */
  attempts: number;
  /** The model the task runs with (the task's, else the server's default); unchecked when absent. */
  model?: string | null;
  /** A follow-up's task: if it already holds a concurrency slot, the follow-up needs no other. */
  taskId?: string;
  now?: Date;
}

export interface Admitted {
  ok: true;
  admissionId: string;
}

export interface Refusal {
  ok: false;
  limit: LimitName;
  message: string;
  /** What is used (or asked for, for max_attempts); null where it has no number (models). */
  used: number | null;
  max: number | null;
  /** When it would fit; null when waiting will not help (or, for concurrency, is unknown). */
  resetAt: string | null;
  /** Null when waiting will not help: the request is over the plan (HTTP 403, not 429). */
  retryAfterSeconds: number | null;
}

export type AdmissionResult = Admitted | Refusal;

type AdmissionRepos = Pick<Repos, "admissions">;

export async function admit(repos: AdmissionRepos, request: AdmissionRequest): Promise<AdmissionResult> {
  const now = request.now ?? new Date();
  if (!Number.isInteger(request.attempts) || request.attempts < 1) {
    throw new Error(`an admission is for 1 or more attempts, not ${request.attempts}`);
  }
  const fixed = checkEntitlements(request);
  if (fixed) return fixed;
  return repos.admissions.locked(request.workspaceId, now, async (ledger) => {
    const refusal = await checkUsage(ledger, request, now);
    if (refusal) return refusal;
    const admission = await ledger.insert(
      {
        workspaceId: request.workspaceId,
        userId: request.userId,
        kind: request.kind,
        plan: request.plan.name,
        units: request.attempts,
        model: request.model ?? null,
        taskId: request.taskId ?? null,
      },
      now,
    );
    return { ok: true, admissionId: admission.id };
  });
}

/** Records the task an admission let in. */
export async function linkAdmission(repos: AdmissionRepos, admissionId: string, taskId: string): Promise<void> {
  if (!(await repos.admissions.link(admissionId, taskId))) throw new Error(`no admission ${admissionId}`);
}

/** Frees the admission's concurrency slot now (it still counts in the windows). */
export async function release(repos: AdmissionRepos, admissionId: string, now: Date = new Date()): Promise<boolean> {
  return repos.admissions.release(admissionId, now);
}

/** Undoes an admission whose task could not be created: it counts nowhere. */
export async function refund(repos: AdmissionRepos, admissionId: string): Promise<boolean> {
  return repos.admissions.refund(admissionId);
}

function checkEntitlements(request: AdmissionRequest): Refusal | undefined {
  const { plan } = request;
  if (request.kind === "task" && request.attempts > plan.maxAttempts) {
    return forever(
      "max_attempts",
      `the ${plan.title} plan allows ${plan.maxAttempts} attempt(s) per task, not ${request.attempts}`,
      request.attempts,
      plan.maxAttempts,
    );
  }
  if (request.model && !matchesAnyGlob(request.model, plan.models)) {
    return forever(
      "models",
      `the ${plan.title} plan does not include the model ${request.model} (allowed: ${plan.models.join(", ")})`,
      null,
      null,
    );
  }
  return undefined;
}

/** The usage limits, longest waits first, so a refusal names the limit that really holds it back. */
async function checkUsage(ledger: LedgerQueries, request: AdmissionRequest, now: Date): Promise<Refusal | undefined> {
  const { plan, workspaceId } = request;
  const weekStart = windowStart(now, WEEK_MS);

  if (plan.sandboxMinutesPerWeek !== null) {
    const usedSeconds = await ledger.sandboxSecondsSince(workspaceId, weekStart);
    const maxSeconds = plan.sandboxMinutesPerWeek * 60;
    if (usedSeconds >= maxSeconds) {
      const entries = await ledger.sandboxEntriesSince(workspaceId, weekStart);
      const at = underAt(entries, usedSeconds, maxSeconds, WEEK_MS);
      const minutes = Math.round((usedSeconds / 60) * 10) / 10;
      return wait(
        "sandbox_minutes_per_week",
        `the workspace used its ${plan.sandboxMinutesPerWeek} sandbox minutes of the last 7 days`,
        minutes,
        plan.sandboxMinutesPerWeek,
        at,
        now,
      );
    }
  }

  const windows = [
    { limit: "tasks_per_week", max: plan.tasksPerWeek, ms: WEEK_MS, span: "7 days" },
    { limit: "tasks_per_5h", max: plan.tasksPer5h, ms: FIVE_HOURS_MS, span: "5 hours" },
  ] as const;
  for (const window of windows) {
    if (window.max === null) continue;
    const since = windowStart(now, window.ms);
    const used = await ledger.unitsSince(workspaceId, since);
    if (used + request.attempts <= window.max) continue;
    const entries = await ledger.admissionsSince(workspaceId, since);
    const at = roomAt(entries, used, window.max, request.attempts, window.ms);
    const message =
      request.attempts > window.max
        ? `${request.attempts} attempts are more than the ${window.max} the ${plan.title} plan allows in ${window.span}`
        : `the workspace started ${used} of its ${window.max} attempts allowed in ${window.span}`;
    return wait(window.limit, message, used, window.max, at, now);
  }

  if (plan.concurrentTasks !== null) {
    const settleSince = new Date(now.getTime() - SETTLE_MS).toISOString();
    await ledger.releaseSettled(workspaceId, settleSince, now);
    const held = await ledger.heldTasks(workspaceId, settleSince);
    const needsSlot = !(request.taskId !== undefined && held.includes(request.taskId));
    if (needsSlot && held.length >= plan.concurrentTasks) {
      return {
        ok: false,
        limit: "concurrent_tasks",
        message: `the workspace has ${held.length} of its ${plan.concurrentTasks} concurrent tasks running`,
        used: held.length,
        max: plan.concurrentTasks,
        resetAt: null,
        retryAfterSeconds: plan.concurrentTasks > 0 ? CONCURRENCY_RETRY_AFTER_SECONDS : null,
      };
    }
  }
  return undefined;
}

function wait(limit: LimitName, message: string, used: number, max: number, at: Date | null, now: Date): Refusal {
  if (at === null) return forever(limit, message, used, max);
  return { ok: false, limit, message, used, max, resetAt: at.toISOString(), retryAfterSeconds: secondsUntil(at, now) };
}

function forever(limit: LimitName, message: string, used: number | null, max: number | null): Refusal {
  return { ok: false, limit, message, used, max, resetAt: null, retryAfterSeconds: null };
}

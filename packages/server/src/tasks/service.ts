/**
 * What happens to a task, whoever asks: create it, cancel it, follow it up, and end its attempts.
 * Routes check who asks and what they sent, call these, and serialise the answer; workers and
 * recovery end attempts through `endAttempts`, the one place that keeps the rule the event stream
 * relies on (sse.ts): the task's status goes final *before* the event that ends its stream.
 */
import { emptyTaskUsage, type ImageInput, type QuireEvent } from "@quire/core";
import type { Logger } from "pino";
import { HttpError } from "../errors.js";
import { appendAndPublish } from "../events/event-hub.js";
import type { Metrics } from "../metrics.js";
import { linkAdmission, refund } from "../plans/index.js";
import { openSource, type SourceAccess } from "../sources/open-source.js";
import { isGitUrl, resolveRef, SourceError } from "../sources/sources.js";
import {
  ACTIVE_STATUSES,
  type Attempt,
  type AttemptResult,
  type Message,
  newMessageId,
  type NewTask,
  type Repository,
  type Task,
} from "../storage/index.js";
import { storedDiffForEvent } from "./event-diff.js";
import { resolveReviewRange } from "./review-range.js";
import { syncTaskStatus, type TaskStatusContext } from "./status.js";

/** What tasks need from the workers of this process (absent in an API-only one). */
export interface Dispatcher {
  enqueue(attemptIds: readonly string[]): Promise<void>;
  /** Stops this process's runs of the task at once (other processes see the request on their next beat). */
  cancelTask(taskId: string): void;
}

/** The part of the server context the task service uses. */
export interface TaskServiceContext extends TaskStatusContext, SourceAccess {
  logger: Logger;
  metrics?: Metrics;
  dispatcher?: Dispatcher;
}

export interface CreatedTask {
  task: Task;
  attempts: Attempt[];
}

/**
 * Resolves the ref to a commit, stores the task and its attempts, and queues them. The caller has
 * checked the request (repository, environment) and admitted it; a failure here refunds that
 * admission, so a refused request costs nothing.
 */
export async function createTask(
  ctx: TaskServiceContext,
  repository: Pick<Repository, "id" | "source">,
  task: Omit<NewTask, "baseCommit" | "repositoryId">,
  admissionId: string | null,
  /**
   * A review: `baseCommit` when it is known (another task's result), or `reviewBase` to review
   * `reviewBase...ref` of the repository (resolved here, with the change's target).
   */
  review: { baseCommit?: string; reviewBase?: string } = {},
  images: readonly ImageInput[] = [],
): Promise<CreatedTask> {
  const refundAdmission = async (): Promise<void> => {
    if (admissionId) await refund(ctx.repos, admissionId);
  };
  let baseCommit: string;
  let reviewTarget = task.reviewTarget;
  try {
    if (review.baseCommit !== undefined) baseCommit = review.baseCommit;
    else {
      const dir = await openSource(ctx, repository);
      if (review.reviewBase !== undefined) {
        const range = await resolveReviewRange(dir, repository, review.reviewBase, task.ref);
        baseCommit = range.mergeBase;
        reviewTarget = range.target;
      } else baseCommit = await resolveRef(dir, task.ref, isGitUrl(repository.source));
    }
  } catch (error) {
    await refundAdmission();
    if (error instanceof SourceError) {
      throw new HttpError(400, `invalid task: ref: ${error.message}`, [{ path: "ref", message: error.message }]);
    }
    throw error;
  }
  const created = await ctx.repos.tasks
    .create({ ...task, repositoryId: repository.id, baseCommit, ...(reviewTarget ? { reviewTarget } : {}) })
    .catch(async (error: unknown) => {
      await refundAdmission();
      throw error;
    });
  // Stored before the attempts are queued: a worker that takes one finds the prompt's images.
  await ctx.repos.taskImages.add(created.task.id, null, images);
  if (admissionId) await linkAdmission(ctx.repos, admissionId, created.task.id);
  ctx.metrics?.tasksCreated.inc({ mode: task.mode });
  ctx.logger.info({ taskId: created.task.id, attempts: task.attempts, mode: task.mode }, "task created");
  await ctx.dispatcher?.enqueue(created.attempts.map((attempt) => attempt.id));
  return created;
}

/**
 * Asks the task to stop: attempts no worker has taken end here, running ones stop on their
 * worker's next beat. Asking twice is harmless: the first request stands.
 */
export async function cancelTask(ctx: TaskServiceContext, task: Task): Promise<void> {
  if (!ACTIVE_STATUSES.includes(task.status)) {
    throw new HttpError(409, `task ${task.id} is ${task.status}: only an active task can be cancelled`);
  }
  await ctx.repos.tasks.requestCancel(task.id);
  const cancelled = await ctx.repos.attempts.cancelQueued(task.id);
  ctx.dispatcher?.cancelTask(task.id);
  const outcome = { status: "cancelled", reason: "cancelled by the user" } as const;
  await endAttempts(
    ctx,
    task,
    cancelled.map((attempt) => ({ attemptId: attempt.id, outcome })),
  );
  await syncTaskStatus(ctx, task.id);
}

/**
 * Adds a person's message to an attempt. A finished attempt goes back to the queue; an active one
 * takes the message when its turn ends.
 */
export async function followUp(
  ctx: TaskServiceContext,
  task: Task,
  attempt: Attempt,
  message: { text: string; authorId: string },
  images: readonly ImageInput[] = [],
): Promise<Message> {
  // The images go first: a running attempt may take the message the moment it is stored.
  const id = newMessageId();
  await ctx.repos.taskImages.add(task.id, id, images);
  const added = await ctx.repos.messages.add({ id, taskId: task.id, attemptId: attempt.id, ...message });
  if (!ACTIVE_STATUSES.includes(attempt.status) && (await ctx.repos.attempts.requeue(attempt.id))) {
    await ctx.repos.tasks.reopen(task.id);
    await ctx.dispatcher?.enqueue([attempt.id]);
    ctx.hub.publish(task.id);
  }
  return added;
}

export interface EndedAttempt {
  attemptId: string;
  /** Already recorded on the attempt's row by the caller. */
  outcome: AttemptResult;
}

/** Writes an attempt's events; by default appended and published straight away. */
export type WriteAttemptEvent = (attemptId: string, event: QuireEvent) => Promise<void>;

/**
 * Ends attempts whose outcome is recorded: each one's `task.completed`, and the task's status.
 * With one attempt, its event ends the task's stream, so the task's status goes final first; with
 * several, the task's own final event comes from syncTaskStatus, after all of theirs.
 */
export async function endAttempts(
  ctx: TaskStatusContext,
  task: Pick<Task, "id" | "attemptsRequested">,
  ended: readonly EndedAttempt[],
  write: WriteAttemptEvent = async (attemptId, event) => {
    await appendAndPublish(ctx.repos, ctx.hub, task.id, attemptId, [event]);
  },
): Promise<void> {
  if (ended.length === 0) return;
  if (task.attemptsRequested === 1) await syncTaskStatus(ctx, task.id);
  for (const { attemptId, outcome } of ended) await write(attemptId, attemptFinalEvent(task.id, attemptId, outcome));
  if (task.attemptsRequested > 1) await syncTaskStatus(ctx, task.id);
}

/** `endAttempts` for one attempt. */
export async function endAttempt(
  ctx: TaskStatusContext,
  task: Pick<Task, "id" | "attemptsRequested">,
  attemptId: string,
  outcome: AttemptResult,
  write?: WriteAttemptEvent,
): Promise<void> {
  await endAttempts(ctx, task, [{ attemptId, outcome }], write);
}

/** One attempt's `task.completed`: its status, final message, diff (bounded), usage and verification. */
export function attemptFinalEvent(taskId: string, attemptId: string, outcome: AttemptResult): QuireEvent {
  return {
    type: "task.completed",
    task_id: taskId,
    attempt_id: attemptId,
    status: outcome.status,
    final_message: outcome.finalMessage ?? null,
    ...storedDiffForEvent(outcome),
    usage: outcome.usage ?? emptyTaskUsage(),
    ...(outcome.status !== "completed" && outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.verification && outcome.verification !== "skipped"
      ? { verification: { status: outcome.verification, log: outcome.verificationLog ?? "" } }
      : {}),
  };
}

/**
 * Runs one claimed attempt: the agent through the core library (its first prompt, or the next
 * follow-up), then the verification gate, then its outcome into storage. Events go to the database
 * as they happen; the core's own `task.completed` is replaced by the server's, written after the
 * checks, so it can say whether the diff was verified.
 */
import {
  createModelClient,
  diffStat,
  resumeTask,
  startTask,
  type TaskResult,
  type EnvironmentForTask,
  type ImageInput,
} from "@quire/core";
import {
  type Attempt,
  type AttemptResult,
  type DiffStats,
  LOCAL_USER_ID,
  LOCAL_WORKSPACE_ID,
  type Task,
} from "../storage/index.js";
import { endAttempt } from "../tasks/service.js";
import { syncTaskStatus } from "../tasks/status.js";
import type { WorkerContext } from "./context.js";
import { EventWriter } from "./event-writer.js";
import { keepLease } from "./lease.js";
import { openSource } from "../sources/open-source.js";
import { isGitUrl, resolveRef } from "../sources/sources.js";
import { AttemptTaskStore } from "./attempt-task-store.js";
import { reviewRequestFor } from "./review-request.js";
import { environmentForTask } from "./task-environment.js";
import { AttemptMeter } from "./meter.js";
import { verifyAttemptDiff } from "./verify.js";
import { storeDiff } from "../tasks/diff-storage.js";

/** `cancel`: the user asked to stop it; `shutdown`: this process is stopping (the attempt is interrupted). */
export async function runAttempt(
  ctx: WorkerContext,
  attempt: Attempt,
  signals: { cancel: AbortSignal; shutdown: AbortSignal },
): Promise<void> {
  const { shutdown } = signals;
  const { repos, logger } = ctx;
  const task = await repos.tasks.get(attempt.taskId);
  if (!task) throw new Error(`attempt ${attempt.id} has no task`);
  const events = new EventWriter(repos, ctx.hub, task.id, attempt.id, logger);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  shutdown.addEventListener("abort", stop);
  signals.cancel.addEventListener("abort", stop);
  const lease = keepLease(ctx, attempt, task.id, controller);
  const log = logger.child({ taskId: task.id, attemptId: attempt.id });
  let budgetReason: string | undefined;
  const meter = new AttemptMeter(ctx, task, attempt, (reason) => {
    budgetReason ??= reason;
    controller.abort();
  });
  try {
    await syncTaskStatus(ctx, task.id);
    const result = await runRounds(ctx, task, attempt, events, controller.signal, () => lease.markRunning(), meter);
    await events.flush();
    await meter.flush();
    if (lease.lost) {
      log.warn("lease lost while running; the outcome is not recorded");
      return;
    }
    const stopped = shutdown.aborted
      ? { status: "interrupted" as const, reason: "interrupted: the server stopped" }
      : budgetReason
        ? { status: "failed" as const, reason: budgetReason }
        : {};
    await finishAttempt(ctx, task, attempt, { ...result, ...stopped }, events);
    log.info({ status: result.status, verification: result.verification }, "attempt finished");
  } catch (error) {
    log.error({ err: error }, "attempt failed");
    const reason = (error as Error).message;
    events.push({ type: "error", message: reason });
    await events.flush().catch(() => undefined);
    if (!lease.lost) {
      const status = shutdown.aborted ? "interrupted" : controller.signal.aborted ? "cancelled" : "failed";
      await finishAttempt(ctx, task, attempt, { status, reason }, events);
    }
  } finally {
    lease.stop();
    shutdown.removeEventListener("abort", stop);
    signals.cancel.removeEventListener("abort", stop);
  }
}

type Outcome = AttemptResult & { status: "completed" | "failed" | "cancelled" };

/** The first prompt, then every follow-up waiting for this attempt, each a turn in one workspace. */
async function runRounds(
  ctx: WorkerContext,
  task: Task,
  attempt: Attempt,
  events: EventWriter,
  signal: AbortSignal,
  onStarted: () => void,
  meter: AttemptMeter,
): Promise<Outcome> {
  const { repos, settings } = ctx;
  const repository = await repos.repositories.get(task.repositoryId);
  if (!repository) throw new Error(`task ${task.id} names a repository that no longer exists`);
  const known = task.baseCommit;
  const access = { home: settings.home, repos, localSources: ctx.localSources };
  const sourceDir = await openSource(access, repository, known ? { commit: known } : undefined);
  const commit =
    known ??
    (await repos.tasks.fixBaseCommit(task.id, await resolveRef(sourceDir, task.ref, isGitUrl(repository.source))));
  const stored = task.environmentId ? await repos.environments.get(task.environmentId) : undefined;
  const environment = await environmentForTask({
    home: settings.home,
    repos,
    workspaceId: task.workspaceId ?? LOCAL_WORKSPACE_ID,
    sourceDir,
    commit,
    environment: stored,
  });
  // The task's record is the database's: any worker continues an attempt that has a stored round.
  const store = new AttemptTaskStore({
    repos,
    home: settings.home,
    task,
    attempt,
    sourceDir,
    commit,
    sandbox: settings.sandbox,
    events,
    diffInlineBytes: settings.limits.diffInlineBytes,
  });
  let resuming = await repos.attempts.hasStoredRound(attempt.id);
  const next = async (): Promise<{ id: string | null; text: string; authorId: string | null } | undefined> =>
    repos.messages.takeNext(attempt.id);
  let round = resuming ? await next() : { id: null, text: task.prompt, authorId: task.createdBy };
  if (round === undefined) throw new Error("nothing to run: the attempt has no waiting follow-up");
  let outcome: Outcome = { status: "failed" };
  while (round !== undefined) {
    const prompt = round.text;
    const author = await authorName(ctx, round.authorId);
    // The prompt's images (message null) or the follow-up's, stored with the task.
    const images = await repos.taskImages.forMessage(task.id, round.id);
    const result = await runOnce(ctx, {
      task,
      attempt,
      sourceDir,
      commit,
      environment,
      prompt,
      images,
      ...(author ? { author } : {}),
      resuming,
      store,
      signal,
      onStarted,
      meter,
    });
    meter.sandboxCpu(result.record.sandboxCpuSeconds);
    outcome = await withVerification(ctx, task, attempt, result, environment, sourceDir, commit, events, signal);
    // Stored with the round already (its head and blob): finishing records that, not the diff again.
    const stored = store.storedDiff();
    if (stored) outcome = { ...outcome, ...stored };
    if (signal.aborted || result.status === "cancelled") break;
    resuming = true;
    round = await next();
  }
  return outcome;
}

/** Who sent a round's words, as the timeline names them: only on a multi-user server. */
async function authorName(ctx: WorkerContext, userId: string | null): Promise<string | undefined> {
  if (!userId || userId === LOCAL_USER_ID) return undefined;
  const user = await ctx.repos.users.get(userId);
  return user?.name ?? user?.email ?? undefined;
}

interface RunOnce {
  task: Task;
  attempt: Attempt;
  sourceDir: string;
  commit: string;
  environment: EnvironmentForTask;
  prompt: string;
  images: ImageInput[];
  author?: string;
  resuming: boolean;
  store: AttemptTaskStore;
  signal: AbortSignal;
  onStarted: () => void;
  meter: AttemptMeter;
}

async function runOnce(ctx: WorkerContext, run: RunOnce): Promise<TaskResult> {
  const { settings } = ctx;
  const modelSettings = { ...settings.model, ...(run.task.model ? { model: run.task.model } : {}) };
  const common = {
    home: settings.home,
    prompt: run.prompt,
    images: run.images,
    imageInput: modelSettings.imageInput !== false,
    ...(run.author ? { author: run.author } : {}),
    model: run.meter.wrap((ctx.modelClient ?? createModelClient)(modelSettings)),
    sandbox: settings.sandbox,
    container: settings.container,
    limits: settings.limits,
    contextWindow: settings.contextWindow,
    agentsMd: settings.agentsMd,
    ...(settings.outbound ? { outbound: settings.outbound } : {}),
    signal: run.signal,
    // Events, the round's diff and conversation, and whole command outputs go to the database.
    store: run.store,
    onEvent: () => undefined,
    onStarted: run.onStarted,
    environmentFor: async () => run.environment,
    ...(ctx.preparationGate ? { preparationGate: ctx.preparationGate } : {}),
  };
  if (run.resuming) return resumeTask({ ...common, id: run.attempt.id });
  const review = run.task.mode === "review" ? await reviewRequestFor(ctx, run.task, run.sourceDir) : undefined;
  return startTask({
    ...common,
    id: run.attempt.id,
    repo: run.sourceDir,
    revision: run.commit,
    mode: run.task.mode,
    ...(review ? { review } : {}),
  });
}

async function withVerification(
  ctx: WorkerContext,
  task: Task,
  attempt: Attempt,
  result: TaskResult,
  environment: EnvironmentForTask,
  sourceDir: string,
  commit: string,
  events: EventWriter,
  signal: AbortSignal,
): Promise<Outcome> {
  const outcome: Outcome = {
    status: result.status,
    diff: result.diff,
    diffStats: statsOf(result.diff),
    finalMessage: result.finalMessage,
    reason: result.reason ?? null,
    usage: result.record.usage,
    verification: null,
    verificationLog: null,
    ...(task.mode === "review" ? { review: result.review ?? null } : {}),
  };
  const worthChecking = task.mode === "code" && result.status === "completed" && result.diff.trim() !== "";
  if (!worthChecking || ctx.skipVerification || signal.aborted) return outcome;
  const verification = await verifyAttemptDiff(ctx, {
    attemptId: attempt.id,
    sourceDir,
    commit,
    environment,
    diff: result.diff,
    events,
    signal,
  });
  return { ...outcome, verification: verification.status, verificationLog: verification.log };
}

/** Records the outcome, moves the task on, then writes the attempt's `task.completed`. */
export async function finishAttempt(
  ctx: WorkerContext,
  task: Task,
  attempt: Attempt,
  outcome: AttemptResult,
  events: EventWriter,
): Promise<void> {
  // A diff past the inline cap is a blob before it is recorded: the row, the event and every JSON
  // answer then carry only its head.
  if (outcome.diff !== undefined && outcome.diffBlob === undefined) {
    const stored = await storeDiff(outcome.diff, ctx.repos.blobs, ctx.settings.limits.diffInlineBytes);
    outcome = { ...outcome, ...stored };
  }
  const recorded = await ctx.repos.attempts.finish(attempt.id, ctx.workerId, outcome);
  if (!recorded) return;
  // Its final event goes through this attempt's writer, after the events still queued in it.
  await endAttempt(ctx, task, attempt.id, outcome, async (_attemptId, event) => {
    events.push(event);
    await events.flush();
  });
  ctx.metrics?.attemptsFinished.inc({ status: outcome.status });
}

function statsOf(diff: string): DiffStats {
  const stat = diffStat(diff);
  return { files: stat.files.length, insertions: stat.added, deletions: stat.removed };
}

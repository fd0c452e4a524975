/** Tasks: create, list, read, cancel, archive (and unarchive), follow up, and their attempts. */
import { attemptForJson } from "../../tasks/event-diff.js";
import type { Context, Hono } from "hono";
import { appendAndPublish } from "../event-hub.js";
import type { Task } from "../../storage/index.js";
import { ACTIVE_STATUSES } from "../../storage/index.js";
import { syncTaskStatus } from "../../tasks/status.js";
import { attemptFinalEvent } from "../../worker/runner.js";
import { openSource } from "../../worker/repository-source.js";
import { isGitUrl, resolveRef, SourceError } from "../../worker/sources.js";
import { audit, requireScope, type Scope } from "../../accounts/index.js";
import type { ApiContext } from "../api-context.js";
import { repositoryFor, taskFor } from "../scoping.js";
import { admitOrRefuse } from "../admission.js";
import { refuseWhenModelNotReady } from "./model-status.js";
import { linkAdmission, refund } from "../../plans/index.js";
import { HttpError, jsonBody, parseOr400 } from "../errors.js";
import { createTaskBody, followUpBody, listTasksQuery } from "../schemas.js";
import { type ResolvedReview, reviewOfRange, reviewOfTask } from "../review-target.js";
import { streamTaskEvents } from "../sse.js";
import { chosenAttempt, viewTask, viewTasks } from "../task-view.js";

const DEFAULT_PAGE = 100;

function parseTaskCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id, ...rest] = cursor.split("~");
  if (!createdAt || !id || rest.length > 0)
    throw new HttpError(400, "invalid query: before: not a cursor from this API");
  return { createdAt, id };
}

/** A review's title when the person gave no words of their own. */
function defaultReviewPrompt(base: string | undefined, ref: string, reviewOf: string | undefined): string {
  return reviewOf !== undefined ? `Review the result of task ${reviewOf}` : `Review ${base ?? ""}...${ref}`;
}

export function taskRoutes(app: Hono, ctx: ApiContext, options: { heartbeatMs: number }): void {
  const { repos, logger, metrics } = ctx;

  const taskOr404 = (c: Context, scope: Scope = "tasks:read"): Promise<Task> => taskFor(c, repos, scope);
  const invalid = (path: string, message: string): HttpError =>
    new HttpError(400, `invalid task: ${path}: ${message}`, [{ path, message }]);

  app.post("/api/tasks", async (c) => {
    const principal = requireScope(c, "tasks:write");
    const body = parseOr400(createTaskBody, await jsonBody(c), "task");
    refuseWhenModelNotReady(ctx.modelStatus);
    // Everything is checked before anything is written, so a bad request creates nothing.
    const repository = await repositoryFor(c, repos, body.repo, "tasks:write");
    if (!repository) throw invalid("repo", `no repository ${body.repo}`);
    if (body.environment !== undefined) {
      const environment = await repos.environments.get(body.environment);
      if (environment?.repositoryId !== body.repo || environment.workspaceId !== principal.workspaceId) {
        throw invalid("environment", `no environment ${body.environment} for repository ${body.repo}`);
      }
    }
    // A review of another task's result needs no source work: checked before admission.
    let review: ResolvedReview | undefined =
      body.reviewOf !== undefined ? await reviewOfTask(c, repos, body.repo, body.reviewOf) : undefined;
    // The schema requires ref unless reviewOf is given.
    const ref = review?.ref ?? body.ref ?? "";
    const admitted = await admitOrRefuse(c, repos, ctx.admission, principal, {
      kind: "task",
      attempts: body.attempts,
      model: body.model ?? null,
    });
    if (admitted instanceof Response) return admitted;
    let baseCommit: string;
    try {
      if (review) baseCommit = review.baseCommit;
      else {
        const dir = await openSource(ctx, repository);
        if (body.base !== undefined) review = await reviewOfRange(dir, repository, body.base, ref);
        baseCommit = review?.baseCommit ?? (await resolveRef(dir, ref, isGitUrl(repository.source)));
      }
    } catch (error) {
      if (admitted) await refund(repos, admitted.admissionId);
      if (error instanceof SourceError) throw invalid("ref", error.message);
      throw error;
    }
    const created = await repos.tasks
      .create({
        repositoryId: body.repo,
        ref,
        baseCommit,
        mode: body.mode,
        prompt: body.prompt ?? defaultReviewPrompt(body.base, ref, body.reviewOf),
        ...(review ? { reviewTarget: review.target } : {}),
        attempts: body.attempts,
        environmentId: body.environment,
        model: body.model,
        workspaceId: principal.workspaceId,
        createdBy: principal.userId,
      })
      .catch(async (error: unknown) => {
        if (admitted) await refund(repos, admitted.admissionId);
        throw error;
      });
    if (admitted) await linkAdmission(repos, admitted.admissionId, created.task.id);
    await audit(c, "task.created", created.task.id, {
      mode: body.mode,
      attempts: body.attempts,
      repositoryId: body.repo,
    });
    metrics.tasksCreated.inc({ mode: body.mode });
    logger.info({ taskId: created.task.id, attempts: body.attempts, mode: body.mode }, "task created");
    await ctx.dispatcher?.enqueue(created.attempts.map((attempt) => attempt.id));
    return c.json({ task: await viewTask(repos, created.task), attempts: created.attempts.map(attemptForJson) }, 201);
  });

  app.get("/api/tasks", async (c) => {
    const principal = requireScope(c, "tasks:read");
    const query = parseOr400(listTasksQuery, c.req.query(), "query");
    // A filter naming a record is checked like a path: another workspace's answers as a missing one.
    if (query.repo !== undefined && !(await repositoryFor(c, repos, query.repo, "tasks:read"))) {
      throw new HttpError(404, `no repository ${query.repo}`);
    }
    const limit = query.limit ?? DEFAULT_PAGE;
    const tasks = await repos.tasks.list({
      workspaceId: principal.workspaceId,
      status: query.status,
      repositoryId: query.repo,
      mode: query.mode,
      text: query.q,
      delivered: query.delivered,
      archived: query.archived,
      limit,
      before: query.before === undefined ? undefined : parseTaskCursor(query.before),
    });
    const last = tasks.at(-1);
    // A full page may have more after it; the cursor is the last task's position.
    const next = tasks.length === limit && last ? `${last.createdAt}~${last.id}` : null;
    return c.json({ tasks: await viewTasks(repos, tasks), next });
  });

  app.get("/api/tasks/:id", async (c) => c.json({ task: await viewTask(repos, await taskOr404(c)) }));

  app.get("/api/tasks/:id/attempts", async (c) => {
    const task = await taskOr404(c);
    // Diffs bounded (event-diff.ts): the whole one is GET /api/tasks/{id}/diff.
    const attempts = await repos.attempts.listForTask(task.id);
    return c.json({ attempts: attempts.map((attempt) => attemptForJson(attempt)) });
  });

  app.post("/api/tasks/:id/cancel", async (c) => {
    const task = await taskOr404(c, "tasks:write");
    if (!ACTIVE_STATUSES.includes(task.status)) {
      throw new HttpError(409, `task ${task.id} is ${task.status}: only an active task can be cancelled`);
    }
    // Asking twice is harmless: the first request stands.
    await repos.tasks.requestCancel(task.id);
    await audit(c, "task.cancelled", task.id);
    // Attempts no worker has taken end here; running ones stop on their worker's next beat.
    const cancelled = await repos.attempts.cancelQueued(task.id);
    ctx.dispatcher?.cancelTask(task.id);
    for (const attempt of cancelled) {
      const final = attemptFinalEvent(task.id, attempt.id, { status: "cancelled", reason: "cancelled by the user" });
      if (task.attemptsRequested === 1) await syncTaskStatus(ctx, task.id);
      await appendAndPublish(repos, ctx.hub, task.id, attempt.id, [final]);
    }
    await syncTaskStatus(ctx, task.id);
    return c.json({ task: await viewTask(repos, await taskOr404(c)) });
  });

  app.post("/api/tasks/:id/archive", async (c) => {
    const task = await taskOr404(c, "tasks:write");
    await repos.tasks.setArchived(task.id, true);
    await audit(c, "task.archived", task.id);
    return c.json({ task: await viewTask(repos, await taskOr404(c)) });
  });

  app.post("/api/tasks/:id/unarchive", async (c) => {
    const task = await taskOr404(c, "tasks:write");
    await repos.tasks.setArchived(task.id, false);
    await audit(c, "task.unarchived", task.id);
    return c.json({ task: await viewTask(repos, await taskOr404(c)) });
  });

  app.post("/api/tasks/:id/messages", async (c) => {
    const task = await taskOr404(c, "tasks:write");
    const body = parseOr400(followUpBody, await jsonBody(c), "message");
    if (!(await repos.repositories.get(task.repositoryId))) {
      throw new HttpError(
        409,
        `repository ${task.repositoryId} was removed: task ${task.id} can be read but not continued`,
      );
    }
    refuseWhenModelNotReady(ctx.modelStatus);
    const attempt = await chosenAttempt(repos, task, body.attemptId);
    if (!attempt)
      throw new HttpError(400, `invalid message: attemptId: task ${task.id} has no attempt ${body.attemptId}`);
    const sender = requireScope(c, "tasks:write");
    const admitted = await admitOrRefuse(c, repos, ctx.admission, sender, {
      kind: "follow_up",
      attempts: 1,
      model: task.model,
      taskId: task.id,
    });
    if (admitted instanceof Response) return admitted;
    const message = await repos.messages.add({
      taskId: task.id,
      attemptId: attempt.id,
      text: body.text,
      authorId: sender.userId,
    });
    await audit(c, "task.follow_up", task.id, { attemptId: attempt.id, messageId: message.id });
    // A finished attempt goes back to the queue; an active one takes the message when its turn ends.
    if (!ACTIVE_STATUSES.includes(attempt.status) && (await repos.attempts.requeue(attempt.id))) {
      await repos.tasks.reopen(task.id);
      await ctx.dispatcher?.enqueue([attempt.id]);
      ctx.hub.publish(task.id);
    }
    return c.json({ message, task: await viewTask(repos, await taskOr404(c)) }, 201);
  });

  app.get("/api/tasks/:id/events", async (c) => {
    await taskOr404(c);
    return streamTaskEvents(c, { repos, hub: ctx.hub, logger, heartbeatMs: options.heartbeatMs });
  });
}

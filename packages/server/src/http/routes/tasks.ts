/**
 * Tasks: create, list, read, cancel, archive (and unarchive), follow up, and their attempts. The
 * routes check who asks and what they sent; tasks/service.ts does the work.
 */
import { attemptForJson } from "../../tasks/event-diff.js";
import type { Context, Hono } from "hono";
import type { Task } from "../../storage/index.js";
import { cancelTask, createTask, followUp } from "../../tasks/service.js";
import { audit, requireScope, type Scope } from "../../accounts/index.js";
import type { ApiContext } from "../api-context.js";
import { repositoryFor, taskFor } from "../scoping.js";
import { admitOrRefuse } from "../admission.js";
import { refuseWhenModelNotReady } from "./model-status.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";
import {
  attemptsResponse,
  createdTaskResponse,
  createTaskBody,
  createTaskMultipart,
  eventsHeaders,
  eventsQuery,
  followUpBody,
  followUpMultipart,
  followUpResponse,
  multipartEncoding,
  listTasksQuery,
  storedEventSchema,
  taskPageResponse,
  taskResponse,
} from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, ok, refused, text } from "../responses.js";
import { type ResolvedReview, reviewOfTask } from "../review-target.js";
import { streamTaskEvents } from "../sse.js";
import { imagesOf } from "../images.js";
import { requestBody } from "../multipart-body.js";
import { chosenAttempt, viewTask, viewTasks } from "../task-view.js";

const DEFAULT_PAGE = 100;

function parseTaskCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id, ...rest] = cursor.split("~");
  if (!createdAt || !id || rest.length > 0)
    throw new HttpError(400, "invalid query: before: not a cursor from this API");
  return { createdAt, id };
}

const taskChanged = (summary: string) => ({
  summary,
  responses: { 200: ok("The task after the change.", taskResponse), 404: error("No such task."), ...denied },
});

/** A review's title when the person gave no words of their own. */
function defaultReviewPrompt(base: string | undefined, ref: string, reviewOf: string | undefined): string {
  return reviewOf !== undefined ? `Review the result of task ${reviewOf}` : `Review ${base ?? ""}...${ref}`;
}

export function taskRoutes(app: Hono, ctx: ApiContext, options: { heartbeatMs: number }): void {
  const { repos, logger } = ctx;

  const taskOr404 = (c: Context, scope: Scope = "tasks:read"): Promise<Task> => taskFor(c, repos, scope);
  const invalid = (path: string, message: string): HttpError =>
    new HttpError(400, `invalid task: ${path}: ${message}`, [{ path, message }]);

  const createTaskRoute = {
    method: "post",
    path: "/api/tasks",
    summary: "Create a task with 1 to 4 queued attempts",
    description: "The body is JSON, or multipart/form-data: the same JSON in a part named json, images as file parts.",
    body: createTaskBody,
    multipart: { schema: createTaskMultipart, encoding: multipartEncoding },
    responses: {
      201: ok("{ task, attempts }", createdTaskResponse),
      400: error(
        "Invalid body (a malformed multipart body, a missing json part, an unknown part) or unknown repository.",
      ),
      409: error("The model cannot be called (no API key): see /api/model-status. Nothing is queued."),
      ...denied,
      ...refused,
    },
  } as const;
  declareRoute(app, createTaskRoute, async (c) => {
    const principal = requireScope(c, "tasks:write");
    const { json, uploads } = await requestBody(c, "task");
    const body = parseOr400(createTaskBody, json, "task");
    refuseWhenModelNotReady(ctx.modelStatus);
    const images = imagesOf(body.images, "task", ctx.modelStatus, uploads);
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
    const review: ResolvedReview | undefined =
      body.reviewOf !== undefined ? await reviewOfTask(c, repos, body.repo, body.reviewOf) : undefined;
    // The schema requires ref unless reviewOf is given.
    const ref = review?.ref ?? body.ref ?? "";
    const admitted = await admitOrRefuse(c, repos, ctx.admission, principal, {
      kind: "task",
      attempts: body.attempts,
      model: body.model ?? null,
    });
    if (admitted instanceof Response) return admitted;
    const created = await createTask(
      ctx,
      repository,
      {
        ref,
        mode: body.mode,
        prompt: body.prompt ?? defaultReviewPrompt(body.base, ref, body.reviewOf),
        ...(review ? { reviewTarget: review.target } : {}),
        attempts: body.attempts,
        environmentId: body.environment,
        model: body.model,
        workspaceId: principal.workspaceId,
        createdBy: principal.userId,
      },
      admitted?.admissionId ?? null,
      review ? { baseCommit: review.baseCommit } : body.base !== undefined ? { reviewBase: body.base } : {},
      images,
    );
    await audit(c, "task.created", created.task.id, {
      mode: body.mode,
      attempts: body.attempts,
      repositoryId: body.repo,
      ...(images.length > 0 ? { images: images.length } : {}),
    });
    return c.json({ task: await viewTask(repos, created.task), attempts: created.attempts.map(attemptForJson) }, 201);
  });

  const listTasks = {
    method: "get",
    path: "/api/tasks",
    summary: "List tasks, newest first",
    query: listTasksQuery,
    responses: {
      200: ok("{ tasks, next }: next is the cursor of the following page, null on the last.", taskPageResponse),
      400: error("Invalid query."),
      404: error("`repo` names no repository of the workspace (another workspace's answers the same)."),
      ...denied,
    },
  } as const;
  declareRoute(app, listTasks, async (c) => {
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

  declareRoute(
    app,
    {
      method: "get",
      path: "/api/tasks/{id}",
      summary: "One task",
      responses: { 200: ok("{ task }", taskResponse), 404: error("No such task."), ...denied },
    },
    async (c) => c.json({ task: await viewTask(repos, await taskOr404(c)) }),
  );

  const listAttempts = {
    method: "get",
    path: "/api/tasks/{id}/attempts",
    summary:
      "The task's attempts; a diff over the inline cap (1 MiB) is cut (diffTruncated, diffBytes): /diff serves it whole",
    responses: { 200: ok("{ attempts }", attemptsResponse), 404: error("No such task."), ...denied },
  } as const;
  declareRoute(app, listAttempts, async (c) => {
    const task = await taskOr404(c);
    // Diffs bounded (event-diff.ts): the whole one is GET /api/tasks/{id}/diff.
    const attempts = await repos.attempts.listForTask(task.id);
    return c.json({ attempts: attempts.map((attempt) => attemptForJson(attempt)) });
  });

  const cancelTaskRoute = {
    method: "post",
    path: "/api/tasks/{id}/cancel",
    summary: "Request cancellation of an active task",
    responses: {
      200: ok("{ task } with cancelRequestedAt set.", taskResponse),
      404: error("No such task."),
      409: error("The task has already ended."),
      ...denied,
    },
  } as const;
  declareRoute(app, cancelTaskRoute, async (c) => {
    const task = await taskOr404(c, "tasks:write");
    await cancelTask(ctx, task);
    await audit(c, "task.cancelled", task.id);
    return c.json({ task: await viewTask(repos, await taskOr404(c)) });
  });

  declareRoute(
    app,
    { method: "post", path: "/api/tasks/{id}/archive", ...taskChanged("Archive a task") },
    async (c) => {
      const task = await taskOr404(c, "tasks:write");
      await repos.tasks.setArchived(task.id, true);
      await audit(c, "task.archived", task.id);
      return c.json({ task: await viewTask(repos, await taskOr404(c)) });
    },
  );

  const unarchive = {
    method: "post",
    path: "/api/tasks/{id}/unarchive",
    ...taskChanged("Bring an archived task back to the list"),
  } as const;
  declareRoute(app, unarchive, async (c) => {
    const task = await taskOr404(c, "tasks:write");
    await repos.tasks.setArchived(task.id, false);
    await audit(c, "task.unarchived", task.id);
    return c.json({ task: await viewTask(repos, await taskOr404(c)) });
  });

  const followUpRoute = {
    method: "post",
    path: "/api/tasks/{id}/messages",
    summary: "Send a follow-up message into the task",
    description: "The body is JSON, or multipart/form-data: the same JSON in a part named json, images as file parts.",
    body: followUpBody,
    multipart: { schema: followUpMultipart, encoding: multipartEncoding },
    responses: {
      201: ok("{ message, task }", followUpResponse),
      400: error("Invalid body (a malformed multipart body, a missing json part, an unknown part)."),
      404: error("No such task."),
      409: error("The model cannot be called (no API key): see /api/model-status; or the repository was removed."),
      ...denied,
      ...refused,
    },
  } as const;
  declareRoute(app, followUpRoute, async (c) => {
    const task = await taskOr404(c, "tasks:write");
    const { json, uploads } = await requestBody(c, "message");
    const body = parseOr400(followUpBody, json, "message");
    if (!(await repos.repositories.get(task.repositoryId))) {
      throw new HttpError(
        409,
        `repository ${task.repositoryId} was removed: task ${task.id} can be read but not continued`,
      );
    }
    refuseWhenModelNotReady(ctx.modelStatus);
    const images = imagesOf(body.images, "message", ctx.modelStatus, uploads);
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
    const message = await followUp(ctx, task, attempt, { text: body.text, authorId: sender.userId }, images);
    await audit(c, "task.follow_up", task.id, { attemptId: attempt.id, messageId: message.id });
    return c.json({ message, task: await viewTask(repos, await taskOr404(c)) }, 201);
  });

  const imageRoute = {
    method: "get",
    path: "/api/tasks/{id}/images/{imageId}",
    summary: "An image sent with the task's prompt or a follow-up (its id is on the round's user_message item)",
    responses: {
      200: text("The image's bytes.", ["image/png", "image/jpeg", "image/webp", "image/gif"]),
      404: error("No such task or image."),
      ...denied,
    },
  } as const;
  declareRoute(app, imageRoute, async (c) => {
    const task = await taskOr404(c);
    const image = await repos.taskImages.get(task.id, c.req.param("imageId"));
    if (!image) throw new HttpError(404, `task ${task.id} has no image ${c.req.param("imageId")}`);
    // Only sniffed image types are stored; nosniff and a sandboxing CSP keep it an image.
    return c.body(new Uint8Array(image.data), 200, {
      "content-type": image.mediaType,
      "cache-control": "private, max-age=86400, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
    });
  });

  const events = {
    method: "get",
    path: "/api/tasks/{id}/events",
    summary: "The task's events as Server-Sent Events: history, then live, until task.completed",
    description:
      "Each event's id is its sequence number; data is a StoredEvent { taskId, attemptId, seq, event, createdAt } " +
      "(components/schemas/StoredEvent). Resume with the Last-Event-ID header or ?after=. A comment line is sent " +
      "every 15 s while idle.",
    query: eventsQuery,
    headers: eventsHeaders,
    responses: {
      // The schema is each event's data (OpenAPI 3.1 has no way to say "a stream of these").
      200: {
        description: "An event stream; each event's data is a StoredEvent.",
        mediaType: "text/event-stream",
        schema: storedEventSchema,
      },
      400: error("Invalid cursor."),
      404: error("No such task."),
      ...denied,
    },
  } as const;
  declareRoute(app, events, async (c) => {
    await taskOr404(c);
    return streamTaskEvents(c, { repos, hub: ctx.hub, logger, heartbeatMs: options.heartbeatMs });
  });
}

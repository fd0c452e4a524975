/** The HTTP API: a Hono app over the storage repositories. Workers and the queue come later. */
import { Hono, type Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { Logger } from "pino";
import type { Repos } from "../storage/index.js";
import { HttpError, errorResponse, jsonBody, parseOr400 } from "./errors.js";
import { EventHub } from "./event-hub.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { createRepositoryBody, createTaskBody, listTasksQuery, messageBody } from "./schemas.js";
import { streamTaskEvents } from "./sse.js";

export interface AppOptions {
  repos: Repos;
  logger: Logger;
  /** Shared with the workers of this process so their events reach live streams. */
  hub?: EventHub;
  metrics?: Metrics;
  /** SSE heartbeat interval; 15 s keeps idle connections alive through common proxies. */
  heartbeatMs?: number;
}

export type QuireApp = Hono & { hub: EventHub; metrics: Metrics };

export function createApp(options: AppOptions): QuireApp {
  const { repos, logger } = options;
  const hub = options.hub ?? new EventHub();
  const metrics = options.metrics ?? createMetrics();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const app = new Hono();

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    // The route pattern, not the path: ids in paths would make a label per task.
    const route = matchedRoutes(c).findLast((r) => r.method !== "ALL")?.path ?? "unmatched";
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    // Method, route and status only: bodies and headers may hold prompts or tokens.
    logger.info({ ...labels, ms: Math.round(seconds * 1000) }, "request");
  });

  app.onError((error, c) => {
    if (error instanceof HttpError) return errorResponse(c, error);
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return c.json({ error: { message: "internal server error" } }, 500);
  });
  app.notFound((c) => c.json({ error: { message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  app.get("/healthz", async (c) => {
    try {
      await repos.repositories.list();
      return c.json({ status: "ok" });
    } catch (error) {
      logger.error({ err: error }, "health check: database unreachable");
      return c.json({ status: "unavailable", error: { message: "database unreachable" } }, 503);
    }
  });
  app.get("/metrics", async (c) => {
    c.header("content-type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  app.get("/api/openapi.json", (c) => c.json(openApiDocument()));

  app.post("/api/repositories", async (c) => {
    const body = parseOr400(createRepositoryBody, await jsonBody(c), "repository");
    return c.json({ repository: await repos.repositories.create(body) }, 201);
  });
  app.get("/api/repositories", async (c) => c.json({ repositories: await repos.repositories.list() }));

  app.post("/api/tasks", async (c) => {
    const body = parseOr400(createTaskBody, await jsonBody(c), "task");
    // Checked before anything is written, so a bad reference creates nothing.
    if (!(await repos.repositories.get(body.repo))) {
      throw new HttpError(400, `invalid task: repo: no repository ${body.repo}`, [
        { path: "repo", message: `no repository ${body.repo}` },
      ]);
    }
    if (body.environment !== undefined) {
      const environment = await repos.environments.get(body.environment);
      if (environment?.repositoryId !== body.repo) {
        const message = `no environment ${body.environment} for repository ${body.repo}`;
        throw new HttpError(400, `invalid task: environment: ${message}`, [{ path: "environment", message }]);
      }
    }
    const created = await repos.tasks.create({
      repositoryId: body.repo,
      ref: body.ref,
      mode: body.mode,
      prompt: body.prompt,
      attempts: body.attempts,
      environmentId: body.environment,
      model: body.model,
    });
    metrics.tasksCreated.inc({ mode: body.mode });
    logger.info({ taskId: created.task.id, attempts: body.attempts, mode: body.mode }, "task created");
    return c.json(created, 201);
  });

  app.get("/api/tasks", async (c) => {
    const query = parseOr400(listTasksQuery, c.req.query(), "query");
    const tasks = await repos.tasks.list({
      status: query.status,
      repositoryId: query.repo,
      archived: query.archived,
      limit: query.limit,
    });
    return c.json({ tasks });
  });

  const taskOr404 = async (c: Context) => {
    const id = c.req.param("id") ?? "";
    const task = await repos.tasks.get(id);
    if (!task) throw new HttpError(404, `no task ${id}`);
    return task;
  };

  app.get("/api/tasks/:id", async (c) => c.json({ task: await taskOr404(c) }));
  app.get("/api/tasks/:id/attempts", async (c) => {
    const task = await taskOr404(c);
    return c.json({ attempts: await repos.attempts.listForTask(task.id) });
  });
  app.post("/api/tasks/:id/cancel", async (c) => {
    const task = await taskOr404(c);
    // Only a request: the worker running the task sees it and stops (workers come later).
    const requested = await repos.tasks.requestCancel(task.id);
    if (!requested && task.cancelRequestedAt === null) {
      throw new HttpError(409, `task ${task.id} is ${task.status}: only an active task can be cancelled`);
    }
    return c.json({ task: await taskOr404(c) });
  });
  app.post("/api/tasks/:id/archive", async (c) => {
    const task = await taskOr404(c);
    await repos.tasks.setArchived(task.id, true);
    return c.json({ task: await taskOr404(c) });
  });
  app.post("/api/tasks/:id/messages", async (c) => {
    const task = await taskOr404(c);
    const body = parseOr400(messageBody, await jsonBody(c), "message");
    return c.json({ message: await repos.messages.add({ taskId: task.id, text: body.text }) }, 201);
  });
  app.get("/api/tasks/:id/events", (c) => streamTaskEvents(c, { repos, hub, logger, heartbeatMs }));

  return Object.assign(app, { hub, metrics });
}

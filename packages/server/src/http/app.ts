/** The HTTP API: a Hono app over storage, handing new work to the workers through a dispatcher. */
import { Hono } from "hono";
import type { ModelReadiness } from "@quire/core";
import type { Logger } from "pino";
import { Accounts } from "../accounts/accounts.js";
import { ForgeAnswers } from "../forges/answers.js";
import { forgeRoutes } from "../forges/routes.js";
import type { AuthOptions } from "../accounts/auth-options.js";
import type { SignInLimits } from "../accounts/sign-in-limits.js";
import type { Repos } from "../storage/index.js";
import { forgesFromEnv } from "../delivery/index.js";
import { admissionSettings } from "./admission.js";
import { LocalSourceRefusedError } from "../sources/local-source-policy.js";
import type { Dispatcher } from "../tasks/service.js";
import type { ApiContext, DeliverySettings } from "./api-context.js";
import { authMiddleware } from "./auth-middleware.js";
import { HttpError } from "../errors.js";
import type { LocalSourcePolicy } from "../sources/local-source-policy.js";
import { errorResponse } from "./errors.js";
import { EventHub } from "../events/event-hub.js";
import { createMetrics, type Metrics } from "../metrics.js";
import { healthResponse, jsonRpcMessage, mcpMessages, openApiDocumentSchema, unhealthyResponse } from "@quire/protocol";
import { checkResponses, declareRoute, declaredRoutes } from "./contract.js";
import { openApiDocument, type OpenApiDocument } from "./openapi-document.js";
import { denied, empty, ok, text } from "./responses.js";
import { routeLabel } from "./route-label.js";
import { securityHeaders } from "./security-headers.js";
import { requestBodyLimit } from "./body-limit.js";
import type { Notifier } from "../notifications/index.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { environmentRoutes } from "./routes/environments.js";
import { repositoryRoutes } from "./routes/repositories.js";
import { fileRoutes } from "./routes/files.js";
import { invitationRoutes } from "./routes/invitations.js";
import { modelStatusRoutes } from "./routes/model-status.js";
import { reviewRoutes } from "./routes/review.js";
import { commandOutputRoutes } from "./routes/command-output.js";
import { taskRoutes } from "./routes/tasks.js";
import { tokenRoutes } from "./routes/tokens.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { usageRoutes } from "./routes/usage.js";
import { webAppRoutes } from "./routes/web-app.js";
import { mcpHandler } from "../mcp/http-endpoint.js";
import { workspaceRoutes } from "./routes/workspaces.js";

// For `quire serve` (through the package's index): the auth options and the bind check.
export { assertSafeBind, type AuthOptions } from "../accounts/auth-options.js";

export const DEFAULT_AUTHOR = { name: "Quire", email: "quire@localhost" };

export interface AppOptions {
  repos: Repos;
  logger: Logger;
  /** Shared with the workers of this process so their events reach live streams. */
  hub?: EventHub;
  metrics?: Metrics;
  /** SSE heartbeat interval; 15 s keeps idle connections alive through common proxies. */
  heartbeatMs?: number;
  /** Quire's home: clones of repositories registered by URL, scratch space for delivery. */
  home: string;
  /** The workers of this process; absent when they run elsewhere. */
  dispatcher?: Dispatcher;
  delivery?: DeliverySettings;
  /** The built web app, served at `/` (any path the API does not own falls back to its index.html). */
  staticDir?: string;
  /** Single-user local mode when absent; see docs/accounts.md. Invalid options throw here. */
  auth?: AuthOptions;
  /**
   * Where a multi-user server accepts local repository paths (`[sources] local_roots`); none when
   * absent. Single-user mode accepts any local path.
   */
  localSourceRoots?: readonly string[];
  /** The process's one policy (service.ts), shared with its workers; else made from the two options above. */
  localSources?: LocalSourcePolicy;
  /** Overrides of the password sign-in limits (accounts/sign-in-limits.ts); tests shorten them. */
  signInLimits?: Partial<SignInLimits>;
  /** The model's readiness (a key is set): shown by `GET /api/model-status`; new tasks are refused when not ready. */
  modelStatus?: ModelReadiness;
  /** Sends the workspaces' webhooks (absent: none are sent). */
  notifier?: Notifier;
  /**
   * A reverse proxy in front terminates TLS and sets `X-Forwarded-Proto`: trust it for HSTS
   * (security-headers.ts). Off by default: a client could send that header itself.
   */
  trustProxy?: boolean;
  /** The request body limit (http/body-limit.ts); 1 MiB by default. */
  maxBodyBytes?: number;
  /**
   * Check every response against its route's declared schema (http/contract.ts); one that breaks
   * it becomes a 500 saying why. For tests: it reads each JSON body twice.
   */
  checkResponses?: boolean;
}

export type QuireApp = Hono & {
  hub: EventHub;
  metrics: Metrics;
  /** Answers forge comments when their tasks end; close() stops it watching. */
  forgeAnswers: ForgeAnswers;
};

export function createApp(options: AppOptions): QuireApp {
  const { repos, logger } = options;
  const hub = options.hub ?? new EventHub();
  const metrics = options.metrics ?? createMetrics();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const app = new Hono();
  if (options.checkResponses) checkResponses(app);

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeLabel(c);
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    // Method, route and status only: bodies and headers may hold prompts or tokens.
    logger.info({ ...labels, ms: Math.round(seconds * 1000) }, "request");
  });

  // Every response, errors and the web app's files included.
  app.use("*", securityHeaders({ trustProxy: options.trustProxy }));
  // Before authentication and every route: nobody, signed in or not, makes the server hold a big body.
  app.use("*", requestBodyLimit(options.maxBodyBytes));

  app.onError((error, c) => {
    if (error instanceof HttpError) return errorResponse(c, error);
    // A registered path the policy no longer allows (moved, or now a symlink out of the roots).
    if (error instanceof LocalSourceRefusedError) return c.json({ error: { message: error.message } }, 409);
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return c.json({ error: { message: "internal server error" } }, 500);
  });
  app.notFound((c) => c.json({ error: { message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  // Before every /api route: each one sees who is asking (accounts/principal.ts).
  const accounts = new Accounts({ repos, auth: options.auth, logger, signInLimits: options.signInLimits });
  const authenticate = authMiddleware(accounts);
  app.use("/api/*", authenticate);
  // MCP clients authenticate like API clients (mcp/http-endpoint.ts).
  app.use("/mcp", authenticate);

  const health = {
    method: "get",
    path: "/healthz",
    summary: "Liveness and database check",
    responses: {
      200: ok("Healthy.", healthResponse),
      503: ok("The database is unreachable.", unhealthyResponse),
    },
  } as const;
  declareRoute(app, health, async (c) => {
    try {
      await repos.repositories.list();
      return c.json({ status: "ok" });
    } catch (error) {
      logger.error({ err: error }, "health check: database unreachable");
      return c.json({ status: "unavailable", error: { message: "database unreachable" } }, 503);
    }
  });
  const metricsRoute = {
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics",
    responses: { 200: text("Text exposition format.", "text/plain") },
  } as const;
  declareRoute(app, metricsRoute, async (c) => {
    c.header("content-type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  // Generated once, on first request, when every route has been declared.
  let document: OpenApiDocument | undefined;
  const openApi = {
    method: "get",
    path: "/api/openapi.json",
    summary: "This document",
    responses: { 200: ok("OpenAPI 3.1, generated from the routes' declarations.", openApiDocumentSchema) },
  } as const;
  declareRoute(app, openApi, (c) => c.json((document ??= openApiDocument(declaredRoutes(app)))));

  const ctx: ApiContext = {
    repos,
    hub,
    logger,
    metrics,
    home: options.home,
    dispatcher: options.dispatcher,
    delivery: options.delivery ?? { author: DEFAULT_AUTHOR, forges: forgesFromEnv({}) },
    admission: admissionSettings(options.home, options.auth?.mode === "multi"),
    localSources: options.localSources ?? {
      restricted: options.auth?.mode === "multi",
      roots: options.localSourceRoots ?? [],
      home: options.home,
    },
    modelStatus: options.modelStatus,
    ...(options.notifier ? { notifier: options.notifier } : {}),
  };
  repositoryRoutes(app, ctx);
  environmentRoutes(app, ctx);
  taskRoutes(app, ctx, { heartbeatMs });
  reviewRoutes(app, ctx);
  commandOutputRoutes(app, ctx);
  fileRoutes(app, ctx);
  authRoutes(app, accounts);
  tokenRoutes(app, accounts);
  workspaceRoutes(app, accounts);
  invitationRoutes(app, accounts);
  auditRoutes(app, accounts);
  usageRoutes(app, ctx);
  webhookRoutes(app, ctx);
  modelStatusRoutes(app, ctx);
  const forgeContext = { ...ctx, forgeSettings: { multiUser: options.auth?.mode === "multi" } };
  const forgeAnswers = new ForgeAnswers(forgeContext);
  forgeRoutes(app, forgeContext, forgeAnswers);
  // Tasks started from comments before a restart are answered when they end.
  void forgeAnswers.resume().catch((error: unknown) => logger.error({ err: error }, "resuming forge answers failed"));
  const mcp = {
    method: "post",
    path: "/mcp",
    summary: "Quire's MCP tools over streamable HTTP (stateless; JSON-RPC in, JSON out)",
    description:
      "The Model Context Protocol endpoint: create_task, wait_for_task, get_task, get_task_diff, send_follow_up, " +
      "deliver_task, list_tasks, list_repositories. Authenticated like /api: a token, or a session with its CSRF " +
      "token (401 without credentials on a multi-user server).",
    body: mcpMessages,
    responses: {
      200: ok("The JSON-RPC answer.", mcpMessages),
      202: empty("A notification or a response was taken; nothing to answer."),
      400: ok("Not a JSON-RPC message (a JSON-RPC error).", jsonRpcMessage),
      406: ok("The client does not accept JSON (a JSON-RPC error).", jsonRpcMessage),
      415: ok("Not JSON (a JSON-RPC error).", jsonRpcMessage),
      ...denied,
    },
  } as const;
  const answerMcp = mcpHandler(app);
  declareRoute(app, mcp, answerMcp);
  // GET (a server-sent stream) and DELETE (end a session) mean nothing to a stateless server: the
  // transport refuses them, and clients take that as "no stream here".
  for (const method of ["get", "delete"] as const) {
    const spec = {
      method,
      path: "/mcp",
      summary: `MCP's ${method === "get" ? "server-sent stream" : "session end"}: not offered by this stateless server`,
      responses: { 405: ok("Not offered here (a JSON-RPC error).", jsonRpcMessage), ...denied },
    } as const;
    declareRoute(app, spec, answerMcp);
  }
  if (options.staticDir) webAppRoutes(app, options.staticDir);

  return Object.assign(app, { hub, metrics, forgeAnswers });
}

/**
 * Whether this server can run tasks with its model: `GET /api/model-status` for the web app's
 * banner, and the refusal that keeps a task (or follow-up) from being queued only to fail on a
 * missing key.
 */
import type { Hono } from "hono";
import type { ModelReadiness } from "@quire/core";
import { requireScope } from "../../accounts/index.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { modelStatusResponse } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, ok } from "../responses.js";

export function modelStatusRoutes(app: Hono, ctx: ApiContext): void {
  const status = {
    method: "get",
    path: "/api/model-status",
    summary: "Whether this server's workers can call their model (its API key is set)",
    description:
      "{ model: { ready, provider, model, message } }, or { model: null } when this process runs no workers " +
      "(they run elsewhere, with their own keys). While ready is false, creating a task or sending a " +
      "follow-up is refused with 409 and the same message.",
    responses: { 200: ok("{ model: { ready, provider, model, message } | null }", modelStatusResponse), ...denied },
  } as const;
  declareRoute(app, status, (c) => {
    requireScope(c, "tasks:read");
    return c.json({ model: ctx.modelStatus ?? null });
  });
}

/** Throws the 409 that refuses new work when the model cannot be called; a no-op when it can. */
export function refuseWhenModelNotReady(status: ModelReadiness | undefined): void {
  if (status === undefined || status.ready) return;
  throw new HttpError(409, status.message ?? `the ${status.provider} model is not ready`);
}

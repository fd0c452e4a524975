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

export function modelStatusRoutes(app: Hono, ctx: ApiContext): void {
  app.get("/api/model-status", (c) => {
    requireScope(c, "tasks:read");
    return c.json({ model: ctx.modelStatus ?? null });
  });
}

/** Throws the 409 that refuses new work when the model cannot be called; a no-op when it can. */
export function refuseWhenModelNotReady(status: ModelReadiness | undefined): void {
  if (status === undefined || status.ready) return;
  throw new HttpError(409, status.message ?? `the ${status.provider} model is not ready`);
}

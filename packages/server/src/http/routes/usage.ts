/**
 * Usage and limits of the current workspace: sums per task, user, workspace or model (JSON or
 * CSV), and each limit of the workspace's plan with what is used of it (the web app's meter).
 * The workspace is the request's principal's (plans/http.ts), so nobody reads another's usage.
 */
import type { Context, Hono } from "hono";
import {
  currentWorkspaceId,
  limitsStatus,
  plansConfigSource,
  resolvePlan,
  usageCsv,
  usageReport,
  type UsageReport,
} from "../../plans/index.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";
import { usageLimitsSchema, usageQuery, usageReportSchema } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, ok, text } from "../responses.js";

export function usageRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;
  const plans = plansConfigSource(ctx.home);

  const report = async (c: Context): Promise<UsageReport> => {
    const query = parseOr400(usageQuery, c.req.query(), "query");
    if (query.from && query.to && query.from > query.to) {
      throw new HttpError(400, "invalid query: from: must not be after to", [
        { path: "from", message: "must not be after to" },
      ]);
    }
    return usageReport(repos, { workspaceId: currentWorkspaceId(c), ...query });
  };

  const usage = {
    method: "get",
    path: "/api/usage",
    summary: "The workspace's usage (tokens, model calls, sandbox time, cost) per task, user, workspace or model",
    query: usageQuery,
    responses: {
      200: ok("{ workspaceId, from, to, groupBy, rows: [{ key, ... }], totals }", usageReportSchema),
      400: error("Invalid query."),
      ...denied,
    },
  } as const;
  declareRoute(app, usage, async (c) => c.json(await report(c)));

  const csv = {
    method: "get",
    path: "/api/usage.csv",
    summary: "The same as CSV (RFC 4180), one row per group",
    query: usageQuery,
    responses: { 200: text("A CSV file.", "text/csv"), 400: error("Invalid query."), ...denied },
  } as const;
  declareRoute(app, csv, async (c) => {
    const usage = await report(c);
    const name = `quire-usage-${usage.groupBy}-${usage.from.slice(0, 10)}-${usage.to.slice(0, 10)}.csv`;
    c.header("content-type", "text/csv; charset=utf-8");
    c.header("content-disposition", `attachment; filename="${name}"`);
    return c.body(usageCsv(usage));
  });

  const limits = {
    method: "get",
    path: "/api/usage/limits",
    summary: "Each limit of the workspace's plan with used, max (null: unlimited) and when it next goes down",
    responses: {
      200: ok(
        "{ workspaceId, enforced, plan: { name, title }, limits: [{ limit, used, max, resetAt, windowSeconds }], entitlements }",
        usageLimitsSchema,
      ),
      ...denied,
    },
  } as const;
  declareRoute(app, limits, async (c) => {
    const workspaceId = currentWorkspaceId(c);
    const plan = await resolvePlan(repos, await plans.get(), workspaceId);
    return c.json({
      workspaceId,
      // Whether these limits are applied to new tasks here (a multi-user server, or a plans.toml).
      enforced: ctx.admission.enforced,
      plan: { name: plan.name, title: plan.title },
      limits: await limitsStatus(repos, workspaceId, plan),
      entitlements: {
        maxAttempts: plan.maxAttempts,
        models: plan.models,
        maxTaskMinutes: plan.maxTaskMinutes,
        maxTaskCostUsd: plan.maxTaskCostUsd,
      },
    });
  });
}

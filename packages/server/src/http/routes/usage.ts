/**
 * Usage and limits of the current workspace: sums per task, user, workspace or model (JSON or
 * CSV), and each limit of the workspace's plan with what is used of it (the web app's meter).
 * The workspace is the request's principal's (plans/http.ts), so nobody reads another's usage.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import {
  currentWorkspaceId,
  limitsStatus,
  plansConfigSource,
  resolvePlan,
  usageCsv,
  usageReport,
  type UsageReport,
} from "../../plans/index.js";
import { USAGE_GROUPS } from "../../storage/index.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";

const date = z
  .string()
  .refine(
    (text) => !Number.isNaN(Date.parse(text)),
    "must be a date or time in ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z)",
  )
  .transform((text) => new Date(text));

export const usageQuery = z.object({
  from: date.optional(),
  to: date.optional(),
  groupBy: z.enum(USAGE_GROUPS).default("task"),
});

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

  app.get("/api/usage", async (c) => c.json(await report(c)));

  app.get("/api/usage.csv", async (c) => {
    const usage = await report(c);
    const name = `quire-usage-${usage.groupBy}-${usage.from.slice(0, 10)}-${usage.to.slice(0, 10)}.csv`;
    c.header("content-type", "text/csv; charset=utf-8");
    c.header("content-disposition", `attachment; filename="${name}"`);
    return c.body(usageCsv(usage));
  });

  app.get("/api/usage/limits", async (c) => {
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

/**
 * Usage of one workspace over a period, summed per task, user, workspace or model. The period
 * defaults to the last 30 days; an attempt falls in it by when it was first metered.
 */
import type { Repos, UsageGroup, UsageGroupRow, UsageTotals } from "../storage/index.js";

export const DEFAULT_REPORT_DAYS = 30;

export interface UsageReportQuery {
  workspaceId: string;
  from?: Date;
  to?: Date;
  groupBy: UsageGroup;
  now?: Date;
}

export interface UsageReport {
  workspaceId: string;
  from: string;
  to: string;
  groupBy: UsageGroup;
  rows: UsageGroupRow[];
  totals: UsageTotals;
}

const NO_USAGE: UsageTotals = {
  attempts: 0,
  tasks: 0,
  modelCalls: 0,
  images: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
  wallSeconds: 0,
  cpuSeconds: null,
  costUsd: null,
  unpricedAttempts: 0,
};

export async function usageReport(repos: Pick<Repos, "usage">, query: UsageReportQuery): Promise<UsageReport> {
  const to = query.to ?? query.now ?? new Date();
  const from = query.from ?? new Date(to.getTime() - DEFAULT_REPORT_DAYS * 24 * 60 * 60 * 1000);
  if (from.getTime() > to.getTime()) throw new RangeError("from must not be after to");
  const range = { workspaceId: query.workspaceId, from: from.toISOString(), to: to.toISOString() };
  const rows = await repos.usage.aggregate({ ...range, groupBy: query.groupBy });
  // The report covers one workspace, so its one "workspace" group is the totals (tasks counted
  // once even when a task's attempts fall in several groups).
  const total =
    query.groupBy === "workspace" ? rows[0] : (await repos.usage.aggregate({ ...range, groupBy: "workspace" }))[0];
  const { key: _key, ...totals } = total ?? { key: "", ...NO_USAGE };
  return { ...range, groupBy: query.groupBy, rows, totals };
}

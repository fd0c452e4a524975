/**
 * The usage table's period as the reader picks it (whole days, in their time zone) and as the
 * server takes it: `[from, to)` in ISO 8601, so the last day picked is included up to its end.
 */
import type { UsageGroup, UsageQuery } from "@quire/protocol";

export interface UsageRange {
  /** yyyy-mm-dd, as an <input type="date"> holds it. */
  from: string;
  to: string;
  groupBy: UsageGroup;
}

export const DEFAULT_DAYS = 30;

export function dayString(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last 30 days, today included. */
export function defaultRange(now: Date = new Date()): UsageRange {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (DEFAULT_DAYS - 1));
  return { from: dayString(from), to: dayString(now), groupBy: "task" };
}

/** Local midnight of a yyyy-mm-dd day, `plusDays` later; undefined for an empty or broken input. */
function localMidnight(day: string, plusDays = 0): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
}

/** The query the server takes: from the first day's start to the end of the last day. */
export function usageQueryOf(range: UsageRange): UsageQuery {
  const from = localMidnight(range.from);
  const to = localMidnight(range.to, 1);
  return {
    groupBy: range.groupBy,
    ...(from ? { from: from.toISOString() } : {}),
    ...(to ? { to: to.toISOString() } : {}),
  };
}

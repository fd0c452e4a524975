/**
 * CSV as RFC 4180 has it: comma-separated, CRLF line ends, a field quoted when it holds a comma,
 * a quote or a line break, quotes inside doubled. Text that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or CR) gets a leading apostrophe: keys such as model names and
 * user ids come from users, and an export is opened in spreadsheets (OWASP's CSV injection advice).
 */
import type { UsageReport } from "./usage-report.js";

export type CsvValue = string | number | null;

export function csvField(value: CsvValue): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

export const USAGE_CSV_HEADER = [
  "group_by",
  "key",
  "from",
  "to",
  "attempts",
  "tasks",
  "model_calls",
  "input_tokens",
  "cached_input_tokens",
  "output_tokens",
  "reasoning_output_tokens",
  "sandbox_wall_seconds",
  "sandbox_cpu_seconds",
  "cost_usd",
  "unpriced_attempts",
  "images",
] as const;

export function usageCsv(report: UsageReport): string {
  const rows = report.rows.map((row) => [
    report.groupBy,
    row.key,
    report.from,
    report.to,
    row.attempts,
    row.tasks,
    row.modelCalls,
    row.inputTokens,
    row.cachedInputTokens,
    row.outputTokens,
    row.reasoningOutputTokens,
    round(row.wallSeconds, 3),
    row.cpuSeconds === null ? null : round(row.cpuSeconds, 3),
    row.costUsd === null ? null : round(row.costUsd, 6),
    row.unpricedAttempts,
    row.images,
  ]);
  return toCsv(USAGE_CSV_HEADER, rows);
}

/** Sums of floats carry noise (0.30000000000000004); a bill does not need it. */
function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

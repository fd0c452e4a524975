/** Plans and usage (docs/plans-and-limits.md): sums per task, user, workspace or model; the plan's limits. */
import { z } from "zod";
import { LIMIT_NAMES, USAGE_GROUPS } from "../constants.js";
import { timestamp } from "./common.js";

export const usageGroupSchema = z.enum(USAGE_GROUPS);

export const usageTotalsSchema = z
  .object({
    attempts: z.number(),
    tasks: z.number(),
    modelCalls: z.number(),
    images: z.number().describe("Images sent with prompts and follow-ups."),
    inputTokens: z.number(),
    cachedInputTokens: z.number(),
    outputTokens: z.number(),
    reasoningOutputTokens: z.number(),
    wallSeconds: z.number(),
    cpuSeconds: z.number().nullable(),
    /** The priced attempts' cost; null when nothing in the group has a known price. */
    costUsd: z.number().nullable(),
    unpricedAttempts: z.number(),
  })
  .meta({ id: "UsageTotals" });

export const usageRowSchema = usageTotalsSchema.extend({ key: z.string() }).meta({ id: "UsageRow" });

export const usageReportSchema = z
  .object({
    workspaceId: z.string(),
    from: timestamp,
    to: timestamp,
    groupBy: usageGroupSchema,
    rows: z.array(usageRowSchema),
    totals: usageTotalsSchema,
  })
  .meta({ id: "UsageReport" });

const date = z
  .string()
  .refine(
    (text) => !Number.isNaN(Date.parse(text)),
    "must be a date or time in ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z)",
  )
  .transform((text) => new Date(text));

export const usageQuery = z.object({
  from: date.optional().describe("ISO 8601 date or time; default: 30 days before to."),
  to: date.optional().describe("ISO 8601 date or time (exclusive); default: now."),
  groupBy: usageGroupSchema.default("task"),
});

export const limitStatusSchema = z
  .object({
    limit: z.enum(LIMIT_NAMES).exclude(["max_attempts", "models"]),
    used: z.number(),
    /** Null: unlimited. */
    max: z.number().nullable(),
    /** When the meter next goes down; null when nothing is counted, or for concurrency. */
    resetAt: timestamp.nullable(),
    /** The rolling window it is counted over, in seconds; null for concurrency. */
    windowSeconds: z.number().nullable(),
  })
  .meta({ id: "LimitStatus" });

/** `GET /api/usage/limits`. */
export const usageLimitsSchema = z
  .object({
    workspaceId: z.string(),
    /** Whether the server applies these limits (multi-user, or a plans.toml); else only what it would apply. */
    enforced: z.boolean(),
    plan: z.object({ name: z.string(), title: z.string() }),
    limits: z.array(limitStatusSchema),
    entitlements: z.object({
      maxAttempts: z.number(),
      models: z.array(z.string()),
      maxTaskMinutes: z.number().nullable(),
      maxTaskCostUsd: z.number().nullable(),
    }),
  })
  .meta({ id: "UsageLimits" });

export type UsageTotals = z.infer<typeof usageTotalsSchema>;
export type UsageRow = z.infer<typeof usageRowSchema>;
export type UsageReport = z.infer<typeof usageReportSchema>;
export type LimitStatus = z.infer<typeof limitStatusSchema>;
export type UsageLimits = z.infer<typeof usageLimitsSchema>;
export type UsageQuery = z.input<typeof usageQuery>;

/**
 * The shape of `plans.toml` (snake_case, as written in the file) and the camelCase plans the rest
 * of the server uses. A limit is a non-negative number or "unlimited" (TOML has no null, and JSON
 * has no infinity); in code "unlimited" is `null`, which is also what the API reports as `max`.
 */
import { z } from "zod";

const UNLIMITED = "unlimited";

// The same message from every branch: zod reports the closest branch's, which alone would not
// mention "unlimited".
const COUNT = 'must be a whole number ≥ 0 or "unlimited"';
const AMOUNT = 'must be a number ≥ 0 or "unlimited"';
const count = z.union([z.int(COUNT).nonnegative(COUNT), z.literal(UNLIMITED, COUNT)], COUNT);
const amount = z.union([z.number(AMOUNT).nonnegative(AMOUNT), z.literal(UNLIMITED, AMOUNT)], AMOUNT);

/** The entitlements: what a plan grants, and what a workspace's overrides may change. */
export const entitlementsShape = {
  /** Attempts started (a best-of-3 task counts 3) in any rolling 5 hours. */
  tasks_per_5h: count.optional(),
  /** The same over any rolling 7 days. */
  tasks_per_week: count.optional(),
  /** Tasks queued or running at once. */
  concurrent_tasks: count.optional(),
  /** Attempts one task may ask for (best-of-N); the server's own ceiling is 4. */
  max_attempts: z.int().min(1).max(4).optional(),
  /** Globs of the model names tasks may use. */
  models: z.array(z.string().min(1)).min(1, "must list at least one model glob").optional(),
  max_task_minutes: amount.optional(),
  /** Sandbox wall time over any rolling 7 days. */
  sandbox_minutes_per_week: amount.optional(),
  /** A task is stopped when its model calls have cost this much. */
  max_task_cost_usd: amount.optional(),
};

export const ENTITLEMENT_KEYS = Object.keys(entitlementsShape) as (keyof typeof entitlementsShape)[];

export const entitlementOverridesSchema = z.strictObject(entitlementsShape);
export type EntitlementOverrides = z.input<typeof entitlementOverridesSchema>;

const planFileSchema = z.strictObject({
  title: z.string().min(1).optional(),
  /** false: the plan is "not yet available" and cannot be assigned (staged rollout). */
  available: z.boolean().optional(),
  ...entitlementsShape,
});
export type PlanFileEntry = z.input<typeof planFileSchema>;

const price = z.number().nonnegative("must be a price ≥ 0 (USD per million tokens)");
const priceFileSchema = z.strictObject({
  /** A glob of model names; the first row that matches a model prices it. */
  model: z.string().min(1),
  input: price,
  /** Defaults to `input` when the provider does not discount cached input. */
  cached_input: price.optional(),
  output: price,
});
export type PriceFileEntry = z.input<typeof priceFileSchema>;

export const plansFileSchema = z.strictObject({
  /** The plan of a workspace that has not been assigned one. */
  default_plan: z.string().min(1).optional(),
  plans: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "plan names are lower case: a-z, 0-9, _ and -"), planFileSchema)
    .optional(),
  prices: z.array(priceFileSchema).optional(),
});
export type PlansFile = z.input<typeof plansFileSchema>;

export interface Entitlements {
  tasksPer5h: number | null;
  tasksPerWeek: number | null;
  concurrentTasks: number | null;
  maxAttempts: number;
  models: string[];
  maxTaskMinutes: number | null;
  sandboxMinutesPerWeek: number | null;
  maxTaskCostUsd: number | null;
}

export interface Plan extends Entitlements {
  name: string;
  title: string;
  available: boolean;
}

export interface ModelPrice {
  model: string;
  /** USD per million tokens. */
  input: number;
  cachedInput: number;
  output: number;
}

export interface PlansConfig {
  defaultPlan: string;
  plans: Record<string, Plan>;
  /** First match wins: the file's rows, then the built-in ones. */
  prices: ModelPrice[];
  /** The file the configuration came from; undefined when there was none (built-in defaults). */
  file?: string;
}

/** A file entry with every entitlement given (the built-in plans, or one merged over them). */
export type CompletePlanEntry = Required<PlanFileEntry>;

const limit = (value: number | typeof UNLIMITED): number | null => (value === UNLIMITED ? null : value);

export function toPlan(name: string, entry: CompletePlanEntry): Plan {
  return {
    name,
    title: entry.title,
    available: entry.available,
    tasksPer5h: limit(entry.tasks_per_5h),
    tasksPerWeek: limit(entry.tasks_per_week),
    concurrentTasks: limit(entry.concurrent_tasks),
    maxAttempts: entry.max_attempts,
    models: [...entry.models],
    maxTaskMinutes: limit(entry.max_task_minutes),
    sandboxMinutesPerWeek: limit(entry.sandbox_minutes_per_week),
    maxTaskCostUsd: limit(entry.max_task_cost_usd),
  };
}

export function toPrice(entry: PriceFileEntry): ModelPrice {
  return {
    model: entry.model,
    input: entry.input,
    cachedInput: entry.cached_input ?? entry.input,
    output: entry.output,
  };
}

/** The plan with a workspace's overrides (already validated) laid over it. */
export function withOverrides(plan: Plan, overrides: EntitlementOverrides): Plan {
  const merged = { ...plan };
  if (overrides.tasks_per_5h !== undefined) merged.tasksPer5h = limit(overrides.tasks_per_5h);
  if (overrides.tasks_per_week !== undefined) merged.tasksPerWeek = limit(overrides.tasks_per_week);
  if (overrides.concurrent_tasks !== undefined) merged.concurrentTasks = limit(overrides.concurrent_tasks);
  if (overrides.max_attempts !== undefined) merged.maxAttempts = overrides.max_attempts;
  if (overrides.models !== undefined) merged.models = [...overrides.models];
  if (overrides.max_task_minutes !== undefined) merged.maxTaskMinutes = limit(overrides.max_task_minutes);
  if (overrides.sandbox_minutes_per_week !== undefined)
    merged.sandboxMinutesPerWeek = limit(overrides.sandbox_minutes_per_week);
  if (overrides.max_task_cost_usd !== undefined) merged.maxTaskCostUsd = limit(overrides.max_task_cost_usd);
  return merged;
}

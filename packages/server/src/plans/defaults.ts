/**
 * The plans and prices Quire ships with, written as they would be in `plans.toml`, so a file only
 * has to name what it changes. They are starting points for an operator to tune, not promises.
 */
import type { CompletePlanEntry, PriceFileEntry } from "./plan-schema.js";

export const BUILT_IN_DEFAULT_PLAN = "free";

/** Small, cheap models: what the free plan may use. */
const SMALL_MODELS = ["*mini*", "*nano*", "*haiku*"];

export const BUILT_IN_PLANS: Record<string, CompletePlanEntry> = {
  free: {
    title: "Free",
    available: true,
    tasks_per_5h: 10,
    tasks_per_week: 50,
    concurrent_tasks: 1,
    max_attempts: 1,
    models: SMALL_MODELS,
    max_task_minutes: 30,
    sandbox_minutes_per_week: 300,
    max_task_cost_usd: 1,
  },
  plus: {
    title: "Plus",
    available: true,
    tasks_per_5h: 40,
    tasks_per_week: 300,
    concurrent_tasks: 3,
    max_attempts: 2,
    models: ["*"],
    max_task_minutes: 60,
    sandbox_minutes_per_week: 1_500,
    max_task_cost_usd: 5,
  },
  pro: {
    title: "Pro",
    available: true,
    tasks_per_5h: 200,
    tasks_per_week: 2_000,
    concurrent_tasks: 10,
    max_attempts: 4,
    models: ["*"],
    max_task_minutes: 120,
    sandbox_minutes_per_week: 10_000,
    max_task_cost_usd: 25,
  },
  team: {
    title: "Team",
    available: true,
    tasks_per_5h: 400,
    tasks_per_week: 4_000,
    concurrent_tasks: 20,
    max_attempts: 4,
    models: ["*"],
    max_task_minutes: 120,
    sandbox_minutes_per_week: 20_000,
    max_task_cost_usd: 25,
  },
  enterprise: {
    title: "Enterprise",
    available: true,
    tasks_per_5h: "unlimited",
    tasks_per_week: "unlimited",
    concurrent_tasks: 50,
    max_attempts: 4,
    models: ["*"],
    max_task_minutes: 240,
    sandbox_minutes_per_week: "unlimited",
    max_task_cost_usd: "unlimited",
  },
  // Staged rollout: defined so it can be tested and tuned, not yet assignable.
  edu: {
    title: "Education",
    available: false,
    tasks_per_5h: 20,
    tasks_per_week: 100,
    concurrent_tasks: 2,
    max_attempts: 2,
    models: ["*"],
    max_task_minutes: 60,
    sandbox_minutes_per_week: 1_200,
    max_task_cost_usd: 2,
  },
};

/**
 * List prices (USD per million tokens) of the default models, as published in 2025. Checked after
 * the file's rows, so `[[prices]]` in plans.toml (even `model = "*"`) takes precedence.
 */
export const BUILT_IN_PRICES: PriceFileEntry[] = [
  { model: "gpt-5*-mini*", input: 0.25, cached_input: 0.025, output: 2 },
  { model: "gpt-5*-nano*", input: 0.05, cached_input: 0.005, output: 0.4 },
  { model: "gpt-5*", input: 1.25, cached_input: 0.125, output: 10 },
  { model: "claude-haiku-4*", input: 1, cached_input: 0.1, output: 5 },
  { model: "claude-sonnet-4*", input: 3, cached_input: 0.3, output: 15 },
  { model: "claude-opus-4-5*", input: 5, cached_input: 0.5, output: 25 },
];

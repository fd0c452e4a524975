import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import { budgetFor, checkBudget } from "./budget.js";
import { parsePlansConfig } from "./config.js";
import { meterAndCheck, recordAttemptUsage } from "./metering.js";
import { costFor, costOf } from "./pricing.js";
import { testPlan } from "../../testing/plans.js";

const price = { model: "m*", input: 2, cachedInput: 0.5, output: 8 };
const usage = (input: number, cached: number, output: number, reasoning = 0, calls = 1) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  model_calls: calls,
});

describe("pricing", () => {
  it("prices cached input at its own rate and reasoning as the output it is part of", () => {
    // 600k uncached × $2 + 400k cached × $0.50 + 100k output × $8 (reasoning inside it) per million.
    expect(costOf(usage(1_000_000, 400_000, 100_000, 60_000), price)).toBeCloseTo(1.2 + 0.2 + 0.8, 10);
    expect(costOf(usage(0, 0, 0), price)).toBe(0);
    // Cached beyond input (a provider's rounding) never makes uncached input negative.
    expect(costOf(usage(10, 20, 0), price)).toBeCloseTo((10 * 0.5) / 1e6, 12);
  });

  it("takes the first matching row of the price table, and has no cost for an unpriced model", () => {
    const { prices } = parsePlansConfig({ prices: [{ model: "gpt-5.1-codex", input: 1, output: 1 }] });
    expect(costFor(prices, "gpt-5.1-codex", usage(1_000_000, 0, 0))).toBe(1);
    expect(costFor(prices, "gpt-5-mini", usage(1_000_000, 1_000_000, 0))).toBeCloseTo(0.025, 10);
    expect(costFor(prices, "my-local-llama", usage(1_000_000, 0, 0))).toBeNull();
  });
});

describe("budgets", () => {
  const budget = budgetFor(testPlan({ name: "plus", maxTaskCostUsd: 5, maxTaskMinutes: 60 }));

  it("stops a task when its cost reaches the budget, or a run its time", () => {
    expect(budget).toEqual({ plan: "plus", maxCostUsd: 5, maxDurationSeconds: 3600 });
    expect(checkBudget(budget, { taskCostUsd: 4.99, elapsedSeconds: 3599 })).toEqual({ stop: false });
    const cost = checkBudget(budget, { taskCostUsd: 5.02, elapsedSeconds: 10 });
    expect(cost).toEqual({
      stop: true,
      limit: "max_task_cost_usd",
      reason: "stopped: the task has cost $5.02, reaching its budget of $5.00 on the plus plan",
    });
    expect(checkBudget(budget, { taskCostUsd: 0, elapsedSeconds: 3600 })).toMatchObject({
      stop: true,
      limit: "max_task_minutes",
      reason: expect.stringContaining("60-minute limit"),
    });
    expect(checkBudget(budgetFor(testPlan()), { taskCostUsd: 1e6, elapsedSeconds: 1e6 })).toEqual({ stop: false });
  });
});

describe.each(TEST_DIALECTS)("metering on %s", (dialect) => {
  const context = useTestRepos(dialect);
  const prices = [price];

  it("records an attempt's running totals and stops the task when its attempts together reach the budget", async () => {
    const { repos } = context;
    const budget = budgetFor(testPlan({ maxTaskCostUsd: 1 }));
    const base = { taskId: "t1", workspaceId: "w", userId: "u", model: "m1", prices, budget };
    // Attempt 1: $0.40 so far.
    const first = await meterAndCheck(repos, { ...base, attemptId: "a1", usage: usage(200_000, 0, 0), wallSeconds: 5 });
    expect(first).toMatchObject({ taskCostUsd: 0.4, decision: { stop: false } });
    expect(first.costUsd).toBeCloseTo(0.4, 10);
    // Attempt 2 in parallel: $0.48 → the task has cost $0.88.
    const second = await meterAndCheck(repos, { ...base, attemptId: "a2", usage: usage(0, 0, 60_000), wallSeconds: 3 });
    expect(second.taskCostUsd).toBeCloseTo(0.88, 10);
    expect(second.decision.stop).toBe(false);
    // Attempt 1's next call: totals rewritten, $0.60 → $1.08 ≥ $1.
    const third = await meterAndCheck(repos, {
      ...base,
      attemptId: "a1",
      usage: usage(300_000, 0, 0, 0, 2),
      wallSeconds: 9,
      cpuSeconds: 2.5,
    });
    expect(third.taskCostUsd).toBeCloseTo(1.08, 10);
    expect(third.decision).toMatchObject({ stop: true, limit: "max_task_cost_usd" });
    expect(await repos.usage.get("a1")).toMatchObject({
      inputTokens: 300_000,
      modelCalls: 2,
      wallSeconds: 9,
      cpuSeconds: 2.5,
    });
  });

  it("records an unpriced model's tokens with no cost", async () => {
    const { repos } = context;
    const reading = {
      attemptId: "a-local",
      taskId: "t-local",
      workspaceId: "w",
      userId: "u",
      model: "llama",
      usage: usage(1000, 0, 10),
      wallSeconds: 1,
      prices,
    };
    expect(await recordAttemptUsage(repos, reading)).toEqual({ costUsd: null });
    expect(await repos.usage.get("a-local")).toMatchObject({ costUsd: null, cpuSeconds: null, inputTokens: 1000 });
  });
});

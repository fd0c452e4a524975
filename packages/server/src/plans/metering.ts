/**
 * Metering an attempt: its running usage (the core's TaskUsage totals, which sum every model call
 * of the attempt, follow-ups included) is written with its cost after each model call, so the
 * records are as fresh as the last call and survive a worker that dies mid-attempt.
 *
 * Sandbox time: `wallSeconds` is the attempt's wall time so far (from its start to now, follow-up
 * runs added), i.e. how long its sandbox was held, not only the time commands ran. `cpuSeconds`
 * is recorded when the caller measures it (the sandbox backends do not report it yet) and is
 * null otherwise.
 */
import type { Usage } from "@quire/core";
import type { Repos } from "../storage/index.js";
import { checkBudget, type BudgetDecision, type TaskBudget } from "./budget.js";
import type { ModelPrice } from "./plan-schema.js";
import { costFor } from "./pricing.js";

export interface AttemptMeterReading {
  attemptId: string;
  taskId: string;
  workspaceId: string;
  userId: string;
  /** The model the attempt runs with (the task's, else the server's default). */
  model: string;
  /** The attempt's totals so far (a TaskUsage fits). */
  usage: Usage & { model_calls: number };
  /** Images the attempt was given so far. */
  images?: number;
  wallSeconds: number;
  cpuSeconds?: number | null;
  prices: readonly ModelPrice[];
  now?: Date;
}

type MeterRepos = Pick<Repos, "usage">;

/** Writes the attempt's running totals and returns what the attempt has cost (null: unpriced). */
export async function recordAttemptUsage(
  repos: MeterRepos,
  reading: AttemptMeterReading,
): Promise<{ costUsd: number | null }> {
  const costUsd = costFor(reading.prices, reading.model, reading.usage);
  await repos.usage.upsert(
    {
      attemptId: reading.attemptId,
      taskId: reading.taskId,
      workspaceId: reading.workspaceId,
      userId: reading.userId,
      model: reading.model,
      inputTokens: reading.usage.input_tokens,
      cachedInputTokens: reading.usage.cached_input_tokens,
      outputTokens: reading.usage.output_tokens,
      reasoningOutputTokens: reading.usage.reasoning_output_tokens,
      modelCalls: reading.usage.model_calls,
      images: reading.images ?? 0,
      wallSeconds: reading.wallSeconds,
      cpuSeconds: reading.cpuSeconds ?? null,
      costUsd,
    },
    reading.now,
  );
  return { costUsd };
}

export interface MeterAndCheckResult {
  costUsd: number | null;
  /** All the task's attempts together, as recorded (other attempts as of their last call). */
  taskCostUsd: number;
  decision: BudgetDecision;
}

/** What the worker calls after each model call: record, then decide whether the task must stop. */
export async function meterAndCheck(
  repos: MeterRepos,
  reading: AttemptMeterReading & { budget: TaskBudget; elapsedSeconds?: number },
): Promise<MeterAndCheckResult> {
  const { costUsd } = await recordAttemptUsage(repos, reading);
  const taskCostUsd = await repos.usage.taskCostUsd(reading.taskId);
  const decision = checkBudget(reading.budget, {
    taskCostUsd,
    elapsedSeconds: reading.elapsedSeconds ?? reading.wallSeconds,
  });
  return { costUsd, taskCostUsd, decision };
}

/**
 * Meters an attempt as it runs: after each model call its running token
 * totals and wall time are written with their cost, and on a server with plans the task's budget
 * is checked; a budget reached stops the attempt with the reason.
 */
import { addUsage, emptyTaskUsage, type ModelClient, type Usage } from "@quire/core";
import { budgetFor, meterAndCheck, plansConfigSource, resolvePlan, type TaskBudget } from "../plans/index.js";
import { type Attempt, LOCAL_USER_ID, LOCAL_WORKSPACE_ID, type Task } from "../storage/index.js";
import type { WorkerContext } from "./context.js";

const NO_BUDGET: TaskBudget = { plan: "none", maxCostUsd: null, maxDurationSeconds: null };

export class AttemptMeter {
  /** The attempt's running totals (replaced, never mutated: each record gets its own). */
  private totals: Usage & { model_calls: number };
  private chain: Promise<void> = Promise.resolve();
  private readonly started = Date.now();
  private cpuSeconds: number | null = null;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly task: Task,
    private readonly attempt: Attempt,
    private readonly onBudgetReached: (reason: string) => void,
  ) {
    this.totals = attempt.usage ?? emptyTaskUsage();
  }

  /** The attempt's model client, metered: each call's usage is recorded as soon as it returns. */
  wrap(client: ModelClient): ModelClient {
    return {
      provider: client.provider,
      model: client.model,
      complete: async (request, onEvent) => {
        const response = await client.complete(request, onEvent);
        this.observeCall(response.usage);
        return response;
      },
    };
  }

  private observeCall(call: Usage): void {
    // Totals only: per-call detail stays in the attempt's own usage.
    this.totals = { ...addUsage(this.totals, call), model_calls: this.totals.model_calls + 1 };
    const usage = this.totals;
    this.chain = this.chain
      .then(() => this.record(usage))
      .catch((error: unknown) => {
        this.ctx.logger.warn({ err: error, attemptId: this.attempt.id }, "metering failed");
      });
  }

  /** The sandbox's CPU seconds so far (the core's running total for the attempt), recorded now. */
  sandboxCpu(seconds: number | null | undefined): void {
    if (seconds === null || seconds === undefined) return;
    this.cpuSeconds = seconds;
    const usage = this.totals;
    this.chain = this.chain
      .then(() => this.record(usage))
      .catch((error: unknown) => {
        this.ctx.logger.warn({ err: error, attemptId: this.attempt.id }, "metering failed");
      });
  }

  async flush(): Promise<void> {
    await this.chain;
  }

  private async record(usage: Usage & { model_calls: number }): Promise<void> {
    const { ctx, task } = this;
    const config = await plansConfigSource(ctx.settings.home).get();
    const workspaceId = task.workspaceId ?? LOCAL_WORKSPACE_ID;
    const budget = ctx.enforcePlans ? budgetFor(await resolvePlan(ctx.repos, config, workspaceId)) : NO_BUDGET;
    const { decision } = await meterAndCheck(ctx.repos, {
      attemptId: this.attempt.id,
      taskId: task.id,
      workspaceId,
      userId: task.createdBy ?? LOCAL_USER_ID,
      model: task.model ?? ctx.settings.model.model,
      usage,
      images: await ctx.repos.taskImages.countForAttempt(task.id, this.attempt.id),
      wallSeconds: (Date.now() - this.started) / 1000,
      cpuSeconds: this.cpuSeconds,
      prices: config.prices,
      budget,
    });
    if (decision.stop) this.onBudgetReached(decision.reason);
  }
}

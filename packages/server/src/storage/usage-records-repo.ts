/**
 * Metering: one row per attempt with its running totals (tokens by kind, model calls, sandbox
 * seconds, cost), rewritten after each model call so a worker that dies mid-attempt has still
 * recorded what it used. Sums per task, user, workspace or model are read from these rows.
 */
import { USAGE_GROUPS, type UsageGroup } from "@quire/protocol";
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.js";
import { timestamp } from "./values.js";

export interface AttemptUsage {
  attemptId: string;
  taskId: string;
  workspaceId: string;
  userId: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  modelCalls: number;
  /** Images the attempt was given (0 when absent). */
  images?: number;
  wallSeconds: number;
  /** Null when the sandbox backend does not measure it. */
  cpuSeconds: number | null;
  /** Null when no price matched the model. */
  costUsd: number | null;
}

export interface StoredAttemptUsage extends AttemptUsage {
  createdAt: string;
  updatedAt: string;
}

export { USAGE_GROUPS, type UsageGroup };

const GROUP_COLUMN = {
  task: "task_id",
  user: "user_id",
  workspace: "workspace_id",
  model: "model",
} as const satisfies Record<UsageGroup, string>;

export interface UsageQuery {
  workspaceId: string;
  /** ISO-8601; attempts first metered in [from, to). */
  from: string;
  to: string;
  groupBy: UsageGroup;
}

export interface UsageTotals {
  attempts: number;
  tasks: number;
  modelCalls: number;
  images: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  wallSeconds: number;
  cpuSeconds: number | null;
  /** The priced attempts' cost; see `unpricedAttempts` for those left out. */
  costUsd: number | null;
  unpricedAttempts: number;
}

export interface UsageGroupRow extends UsageTotals {
  key: string;
}

const num = (value: unknown): number => Number(value ?? 0);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export class UsageRecordsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes the attempt's running totals; the first write's time is when the attempt counts. */
  async upsert(usage: AttemptUsage, now: Date = new Date()): Promise<void> {
    const at = timestamp(now);
    const values = {
      task_id: usage.taskId,
      workspace_id: usage.workspaceId,
      user_id: usage.userId,
      model: usage.model,
      input_tokens: usage.inputTokens,
      cached_input_tokens: usage.cachedInputTokens,
      output_tokens: usage.outputTokens,
      reasoning_output_tokens: usage.reasoningOutputTokens,
      model_calls: usage.modelCalls,
      images: usage.images ?? 0,
      wall_seconds: usage.wallSeconds,
      cpu_seconds: usage.cpuSeconds,
      cost_usd: usage.costUsd,
      updated_at: at,
    };
    await this.db
      .insertInto("usage_records")
      .values({ attempt_id: usage.attemptId, ...values, created_at: at })
      .onConflict((oc) => oc.column("attempt_id").doUpdateSet(values))
      .execute();
  }

  async get(attemptId: string): Promise<StoredAttemptUsage | undefined> {
    const row = await this.db
      .selectFrom("usage_records")
      .selectAll()
      .where("attempt_id", "=", attemptId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      attemptId: row.attempt_id,
      taskId: row.task_id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      model: row.model,
      inputTokens: num(row.input_tokens),
      cachedInputTokens: num(row.cached_input_tokens),
      outputTokens: num(row.output_tokens),
      reasoningOutputTokens: num(row.reasoning_output_tokens),
      modelCalls: num(row.model_calls),
      images: num(row.images),
      wallSeconds: num(row.wall_seconds),
      cpuSeconds: numOrNull(row.cpu_seconds),
      costUsd: numOrNull(row.cost_usd),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** What the task's attempts have cost so far, all of them, follow-ups included. */
  async taskCostUsd(taskId: string): Promise<number> {
    const row = await this.db
      .selectFrom("usage_records")
      .select((eb) => eb.fn.sum<number | string | null>("cost_usd").as("total"))
      .where("task_id", "=", taskId)
      .executeTakeFirst();
    return num(row?.total);
  }

  /** Sums per group, ordered by key (stable for exports). */
  async aggregate(query: UsageQuery): Promise<UsageGroupRow[]> {
    const column = GROUP_COLUMN[query.groupBy];
    // Sums come back as text from PostgreSQL (bigint / numeric), so every one goes through Number.
    const rows = await this.db
      .selectFrom("usage_records")
      .select((eb) => [
        eb.ref(column).as("key"),
        eb.fn.countAll().as("attempts"),
        eb.fn.count("task_id").distinct().as("tasks"),
        eb.fn.sum("model_calls").as("model_calls"),
        eb.fn.sum("images").as("images"),
        eb.fn.sum("input_tokens").as("input_tokens"),
        eb.fn.sum("cached_input_tokens").as("cached_input_tokens"),
        eb.fn.sum("output_tokens").as("output_tokens"),
        eb.fn.sum("reasoning_output_tokens").as("reasoning_output_tokens"),
        eb.fn.sum("wall_seconds").as("wall_seconds"),
        eb.fn.sum("cpu_seconds").as("cpu_seconds"),
        eb.fn.sum("cost_usd").as("cost_usd"),
        sql<number>`sum(case when cost_usd is null then 1 else 0 end)`.as("unpriced"),
      ])
      .where("workspace_id", "=", query.workspaceId)
      .where("created_at", ">=", query.from)
      .where("created_at", "<", query.to)
      .groupBy(column)
      .orderBy(column)
      .execute();
    return rows.map((row) => ({
      key: String(row.key),
      attempts: num(row.attempts),
      tasks: num(row.tasks),
      modelCalls: num(row.model_calls),
      images: num(row.images),
      inputTokens: num(row.input_tokens),
      cachedInputTokens: num(row.cached_input_tokens),
      outputTokens: num(row.output_tokens),
      reasoningOutputTokens: num(row.reasoning_output_tokens),
      wallSeconds: num(row.wall_seconds),
      cpuSeconds: numOrNull(row.cpu_seconds),
      costUsd: numOrNull(row.cost_usd),
      unpricedAttempts: num(row.unpriced),
    }));
  }
}

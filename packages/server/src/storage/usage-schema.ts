/**
 * The tables of plans, rate limits and metering (migration 0004) as Kysely sees them. Kept apart
 * from schema.ts, like the accounts tables, so this part can grow without touching the others.
 * Same portable column types: ISO-8601 text timestamps, JSON as text.
 */

export type AdmissionKind = "task" | "follow_up";

/** The plan a workspace was assigned; a workspace without a row is on the default plan. */
export interface WorkspacePlansTable {
  workspace_id: string;
  plan: string;
  /** JSON text: entitlements that differ from the plan's, keys as in plans.toml. */
  overrides: string | null;
  updated_at: string;
}

/** One row per workspace, created on demand: admissions lock it so they run one at a time. */
export interface UsageCountersTable {
  workspace_id: string;
  /** Admissions ever granted; bumped by each one, which also makes every admission a write. */
  admissions: number;
  updated_at: string;
}

/** The ledger of admitted tasks and follow-ups; the rolling windows and concurrency count it. */
export interface UsageAdmissionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  kind: AdmissionKind;
  /** The plan it was admitted under, for the record. */
  plan: string;
  /** Attempts started or continued: what it counts in the windows. */
  units: number;
  model: string | null;
  /** The task it admitted, once created (a follow-up's is known from the start). */
  task_id: string | null;
  created_at: string;
  /** No longer holding a concurrency slot (released, or its task found ended). */
  released_at: string | null;
}

/** An attempt's usage, rewritten with the running totals after each model call. */
export interface UsageRecordsTable {
  attempt_id: string;
  task_id: string;
  workspace_id: string;
  user_id: string;
  model: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  model_calls: number;
  /** Images the attempt was given (its prompt's and its follow-ups'). */
  images: number;
  wall_seconds: number;
  cpu_seconds: number | null;
  cost_usd: number | null;
  created_at: string;
  updated_at: string;
}

export interface UsageDatabase {
  workspace_plans: WorkspacePlansTable;
  usage_counters: UsageCountersTable;
  usage_admissions: UsageAdmissionsTable;
  usage_records: UsageRecordsTable;
}

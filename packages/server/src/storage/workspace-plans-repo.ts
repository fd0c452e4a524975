/** Which plan each workspace is on, with its overrides; the rules for assigning are in plans/. */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { fromJsonOrNull, timestamp, toJson } from "./values.js";

export interface WorkspacePlanAssignment {
  workspaceId: string;
  plan: string;
  /** Entitlements that differ from the plan's, keys as in plans.toml (validated by plans/). */
  overrides: Record<string, unknown> | null;
  updatedAt: string;
}

export class WorkspacePlansRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(workspaceId: string): Promise<WorkspacePlanAssignment | undefined> {
    const row = await this.db
      .selectFrom("workspace_plans")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      workspaceId: row.workspace_id,
      plan: row.plan,
      overrides: fromJsonOrNull<Record<string, unknown>>(row.overrides),
      updatedAt: row.updated_at,
    };
  }

  /** Sets (or replaces) the workspace's plan and overrides. */
  async set(
    workspaceId: string,
    plan: string,
    overrides: Record<string, unknown> | null,
    now: Date = new Date(),
  ): Promise<WorkspacePlanAssignment> {
    const row = {
      workspace_id: workspaceId,
      plan,
      overrides: overrides === null ? null : toJson(overrides),
      updated_at: timestamp(now),
    };
    await this.db
      .insertInto("workspace_plans")
      .values(row)
      .onConflict((oc) =>
        oc.column("workspace_id").doUpdateSet({ plan: row.plan, overrides: row.overrides, updated_at: row.updated_at }),
      )
      .execute();
    return { workspaceId, plan, overrides, updatedAt: row.updated_at };
  }
}

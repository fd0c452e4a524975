/**
 * Which plan a workspace is on: the one assigned to it (with its overrides), else the default
 * plan. Assigning checks the plan exists and is available: a plan marked `available = false`
 * is defined (staged rollout) but cannot be given to anyone yet. Workspaces that got a plan
 * before it was marked unavailable keep it.
 */
import type { Repos } from "../storage/index.js";
import {
  entitlementOverridesSchema,
  withOverrides,
  type EntitlementOverrides,
  type Plan,
  type PlansConfig,
} from "./plan-schema.js";

export class PlanAssignmentError extends Error {
  constructor(
    message: string,
    readonly reason: "unknown_plan" | "not_available" | "invalid_overrides",
  ) {
    super(message);
    this.name = "PlanAssignmentError";
  }
}

type PlanRepos = Pick<Repos, "workspacePlans">;

/** The workspace's effective plan. A stored plan name the configuration no longer has falls back
 * to the default plan rather than to no limits at all. */
export async function resolvePlan(repos: PlanRepos, config: PlansConfig, workspaceId: string): Promise<Plan> {
  const assignment = await repos.workspacePlans.get(workspaceId);
  const defaultPlan = config.plans[config.defaultPlan]!;
  if (!assignment) return defaultPlan;
  const plan = config.plans[assignment.plan] ?? defaultPlan;
  if (assignment.overrides === null) return plan;
  const overrides = entitlementOverridesSchema.safeParse(assignment.overrides);
  if (!overrides.success) {
    throw new Error(`workspace ${workspaceId} has invalid plan overrides: ${overrides.error.issues[0]?.message}`);
  }
  return withOverrides(plan, overrides.data);
}

export async function assignPlan(
  repos: PlanRepos,
  config: PlansConfig,
  workspaceId: string,
  planName: string,
  overrides: EntitlementOverrides | null = null,
  now: Date = new Date(),
): Promise<Plan> {
  const plan = config.plans[planName];
  if (!plan) {
    const known = Object.keys(config.plans).join(", ");
    throw new PlanAssignmentError(`no plan named ${planName} (plans: ${known})`, "unknown_plan");
  }
  if (!plan.available) {
    throw new PlanAssignmentError(`the ${plan.title} plan (${planName}) is not available yet`, "not_available");
  }
  let checked: EntitlementOverrides | null = null;
  if (overrides !== null) {
    const parsed = entitlementOverridesSchema.safeParse(overrides);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
      throw new PlanAssignmentError(`invalid plan overrides: ${issues.join("; ")}`, "invalid_overrides");
    }
    checked = parsed.data;
  }
  await repos.workspacePlans.set(workspaceId, planName, checked, now);
  return checked === null ? plan : withOverrides(plan, checked);
}

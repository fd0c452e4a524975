import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import { parsePlansConfig } from "./config.js";
import { assignPlan, PlanAssignmentError, resolvePlan } from "./workspace-plan.js";

const config = parsePlansConfig({});

describe.each(TEST_DIALECTS)("workspace plans on %s", (dialect) => {
  const context = useTestRepos(dialect);

  it("puts a workspace without a plan on the default plan", async () => {
    expect((await resolvePlan(context.repos, config, "nobody")).name).toBe("free");
  });

  it("assigns a plan with overrides, laid over the plan's entitlements", async () => {
    const { repos } = context;
    const plan = await assignPlan(repos, config, "w-pro", "pro", { tasks_per_5h: 500, max_task_cost_usd: "unlimited" });
    expect(plan).toMatchObject({ name: "pro", tasksPer5h: 500, maxTaskCostUsd: null, tasksPerWeek: 2_000 });
    expect(await resolvePlan(repos, config, "w-pro")).toEqual(plan);
    expect(await repos.workspacePlans.get("w-pro")).toMatchObject({ plan: "pro", overrides: { tasks_per_5h: 500 } });
  });

  it("refuses a plan that is not yet available, unknown, or bad overrides, changing nothing", async () => {
    const { repos } = context;
    await assignPlan(repos, config, "w-edu", "plus");
    const refusal = assignPlan(repos, config, "w-edu", "edu");
    await expect(refusal).rejects.toBeInstanceOf(PlanAssignmentError);
    await expect(refusal).rejects.toMatchObject({
      reason: "not_available",
      message: expect.stringMatching(/not available/),
    });
    await expect(assignPlan(repos, config, "w-edu", "gold")).rejects.toMatchObject({ reason: "unknown_plan" });
    await expect(
      assignPlan(repos, config, "w-edu", "pro", { tasks_per_5h: -2 } as unknown as Record<string, never>),
    ).rejects.toMatchObject({ reason: "invalid_overrides", message: expect.stringMatching(/tasks_per_5h/) });
    expect((await resolvePlan(repos, config, "w-edu")).name).toBe("plus");
  });

  it("keeps a plan assigned before it was withdrawn, and falls back when it is gone", async () => {
    const { repos } = context;
    const open = parsePlansConfig({ plans: { edu: { available: true } } });
    await assignPlan(repos, open, "w-early", "edu");
    expect((await resolvePlan(repos, config, "w-early")).name).toBe("edu");
    await repos.workspacePlans.set("w-gone", "retired", null);
    expect((await resolvePlan(repos, config, "w-gone")).name).toBe("free");
  });
});

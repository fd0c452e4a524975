/** For tests: plans with only the limits a test is about (everything else unlimited). */
import type { Plan } from "../src/plans/plan-schema.js";

export function testPlan(limits: Partial<Plan> = {}): Plan {
  return {
    name: "test",
    title: "Test",
    available: true,
    tasksPer5h: null,
    tasksPerWeek: null,
    concurrentTasks: null,
    maxAttempts: 4,
    models: ["*"],
    maxTaskMinutes: null,
    sandboxMinutesPerWeek: null,
    maxTaskCostUsd: null,
    ...limits,
  };
}

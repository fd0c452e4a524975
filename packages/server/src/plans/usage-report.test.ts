import { describe, expect, it } from "vitest";
import type { AttemptUsage } from "../storage/index.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import { usageReport } from "./usage-report.js";

const JAN = (day: number) => new Date(Date.UTC(2026, 0, day, 12));

function attempt(attemptId: string, fields: Partial<AttemptUsage>): AttemptUsage {
  return {
    attemptId,
    taskId: "t1",
    workspaceId: "w",
    userId: "ann",
    model: "gpt-5",
    inputTokens: 1000,
    cachedInputTokens: 200,
    outputTokens: 100,
    reasoningOutputTokens: 10,
    modelCalls: 3,
    wallSeconds: 60,
    cpuSeconds: null,
    costUsd: 0.25,
    ...fields,
  };
}

describe.each(TEST_DIALECTS)("usage report on %s", (dialect) => {
  const context = useTestRepos(dialect);

  it("sums attempts per task, user, workspace and model within the period", async () => {
    const { repos } = context;
    await repos.usage.upsert(attempt("a1", {}), JAN(2));
    await repos.usage.upsert(attempt("a2", { cpuSeconds: 4.5, costUsd: 0.5 }), JAN(3));
    await repos.usage.upsert(attempt("a3", { taskId: "t2", userId: "bob", model: "llama", costUsd: null }), JAN(4));
    await repos.usage.upsert(attempt("old", { taskId: "t0" }), JAN(1));
    await repos.usage.upsert(attempt("other", { workspaceId: "elsewhere" }), JAN(3));
    // A later write of the same attempt keeps the day it first counted.
    await repos.usage.upsert(attempt("a1", { inputTokens: 3000, modelCalls: 5 }), JAN(20));

    const period = { workspaceId: "w", from: new Date("2026-01-02T00:00:00Z"), to: JAN(10) };
    const byModel = await usageReport(repos, { ...period, groupBy: "model" });
    expect(byModel.rows.map((row) => row.key)).toEqual(["gpt-5", "llama"]);
    expect(byModel.rows[0]).toMatchObject({
      attempts: 2,
      tasks: 1,
      modelCalls: 8,
      inputTokens: 4000,
      cachedInputTokens: 400,
      outputTokens: 200,
      reasoningOutputTokens: 20,
      wallSeconds: 120,
      cpuSeconds: 4.5,
      costUsd: 0.75,
      unpricedAttempts: 0,
    });
    expect(byModel.rows[1]).toMatchObject({ costUsd: null, unpricedAttempts: 1, cpuSeconds: null });
    expect(byModel.totals).toMatchObject({ attempts: 3, tasks: 2, costUsd: 0.75, unpricedAttempts: 1 });
    expect(byModel.from).toBe("2026-01-02T00:00:00.000Z");

    const byTask = await usageReport(repos, { ...period, groupBy: "task" });
    expect(byTask.rows.map((row) => [row.key, row.attempts])).toEqual([
      ["t1", 2],
      ["t2", 1],
    ]);
    const byUser = await usageReport(repos, { ...period, groupBy: "user" });
    expect(byUser.rows.map((row) => row.key)).toEqual(["ann", "bob"]);
    const byWorkspace = await usageReport(repos, { ...period, groupBy: "workspace" });
    expect(byWorkspace.rows).toHaveLength(1);
    expect(byWorkspace.totals).toEqual(byModel.totals);
  });

  it("reports zeros for a period without usage, and defaults to the last 30 days", async () => {
    const report = await usageReport(context.repos, { workspaceId: "empty", groupBy: "task", now: JAN(31) });
    expect(report.rows).toEqual([]);
    expect(report.totals).toMatchObject({ attempts: 0, costUsd: null });
    expect(report.from).toBe(JAN(1).toISOString());
    await expect(
      usageReport(context.repos, { workspaceId: "w", groupBy: "task", from: JAN(5), to: JAN(4) }),
    ).rejects.toThrow(RangeError);
  });
});

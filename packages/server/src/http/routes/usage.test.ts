import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admit } from "../../plans/admission.js";
import { parsePlansConfig } from "../../plans/config.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

describe.each(TEST_DIALECTS)("usage API on %s", (dialect) => {
  let api: TestApi;
  const now = new Date();
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const usage = {
      workspaceId: "local",
      userId: "=cmd|' /C calc'!A0",
      inputTokens: 1_000,
      cachedInputTokens: 0,
      outputTokens: 10,
      reasoningOutputTokens: 0,
      modelCalls: 1,
      wallSeconds: 90,
      cpuSeconds: null,
      costUsd: 0.5,
    };
    await api.repos.usage.upsert({ ...usage, attemptId: "a1", taskId: "t1", model: 'gpt-5, "fast"' }, now);
    await api.repos.usage.upsert({ ...usage, attemptId: "a2", taskId: "t2", model: "gpt-5-mini" }, now);
    await api.repos.usage.upsert({ ...usage, attemptId: "a3", taskId: "t3", model: "x", workspaceId: "other" }, now);
  });
  afterAll(async () => api?.close());

  it("sums the current workspace's usage as JSON", async () => {
    const response = await fetch(`${api.url}/api/usage?groupBy=model`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      workspaceId: string;
      rows: { key: string }[];
      totals: { costUsd: number };
    };
    expect(body.workspaceId).toBe("local");
    expect(body.rows.map((row) => row.key)).toEqual(['gpt-5, "fast"', "gpt-5-mini"]);
    expect(body.totals.costUsd).toBe(1);
    const none = (await (await fetch(`${api.url}/api/usage?to=2000-01-01`)).json()) as { rows: unknown[] };
    expect(none.rows).toEqual([]);
  });

  it("exports CSV with quoting, as a download", async () => {
    const response = await fetch(`${api.url}/api/usage.csv?groupBy=model`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="quire-usage-model-.*\.csv"$/);
    const lines = (await response.text()).split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^model,"gpt-5, ""fast""",/);
    const byUser = await (await fetch(`${api.url}/api/usage.csv?groupBy=user`)).text();
    expect(byUser.split("\r\n")[1]).toMatch(/^user,'=cmd\|' \/C calc'!A0,/);
  });

  it("refuses a bad query", async () => {
    for (const query of ["groupBy=colour", "from=yesterday", "from=2026-02-01&to=2026-01-01"]) {
      const response = await fetch(`${api.url}/api/usage?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^invalid query/);
    }
  });

  it("reports each limit of the workspace's plan with used, max and reset", async () => {
    const plan = parsePlansConfig({}).plans.free!;
    const admitted = await admit(api.repos, {
      workspaceId: "local",
      userId: "local",
      plan,
      kind: "task",
      attempts: 1,
      now,
    });
    expect(admitted.ok).toBe(true);
    const response = await fetch(`${api.url}/api/usage/limits`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      enforced: boolean;
      plan: { name: string };
      limits: { limit: string; used: number; max: number | null; resetAt: string | null }[];
      entitlements: { maxAttempts: number };
    };
    expect(body.plan.name).toBe("free");
    expect(body.entitlements.maxAttempts).toBe(1);
    // A single-user server without plans.toml meters but does not limit, and says so.
    expect(body.enforced).toBe(false);
    const byName = Object.fromEntries(body.limits.map((limit) => [limit.limit, limit]));
    expect(byName.tasks_per_5h).toEqual({
      limit: "tasks_per_5h",
      used: 1,
      max: 10,
      resetAt: new Date(now.getTime() + 5 * 3600_000).toISOString(),
      windowSeconds: 5 * 3600,
    });
    expect(byName.tasks_per_week).toMatchObject({ used: 1, max: 50 });
    expect(byName.concurrent_tasks).toMatchObject({ used: 1, max: 1, resetAt: null });
    expect(byName.sandbox_minutes_per_week).toMatchObject({ used: 3, max: 300 });
  });
});

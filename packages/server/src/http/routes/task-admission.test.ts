/**
 * Plans at the API: task creation and follow-ups go through atomic admission when plans.toml
 * exists (or on a multi-user server). 50 simultaneous creations against a limit of 10 admit 10.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";

const PLANS = `
default_plan = "team"
[plans.team]
tasks_per_5h = 10
concurrent_tasks = 100
max_attempts = 2
`;

describe.each(TEST_DIALECTS)("admission at task creation on %s", (dialect) => {
  let api: TestApi;
  let repoId: string;
  let branch: string;
  beforeAll(async () => {
    api = await startTestApi(dialect, { plansToml: PLANS });
    const response = await postJson(`${api.url}/api/repositories`, { name: "r", source: makeRepo({ "a.txt": "a\n" }) });
    const { repository } = (await response.json()) as { repository: { id: string; defaultBranch: string } };
    repoId = repository.id;
    branch = repository.defaultBranch;
  });
  afterAll(async () => api?.close());

  it("admits exactly the limit out of a simultaneous burst; the rest get 429 with Retry-After and the limit", async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postJson(`${api.url}/api/tasks`, { repo: repoId, ref: branch, mode: "ask", prompt: `burst ${i}` }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40);
    const refused = responses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { limit: string; used: number; max: number; resetAt: string } };
    expect(body.error).toMatchObject({ limit: "tasks_per_5h", used: 10, max: 10 });
    expect(Date.parse(body.error.resetAt)).toBeGreaterThan(Date.now());
    // Refused requests created nothing.
    expect(await api.repos.tasks.list({ limit: 100 })).toHaveLength(10);
  });

  it("refuses more attempts than the plan allows with 403, and follow-ups once the window is full", async () => {
    const tooMany = await postJson(`${api.url}/api/tasks`, {
      repo: repoId,
      ref: branch,
      mode: "ask",
      prompt: "p",
      attempts: 3,
    });
    expect(tooMany.status).toBe(403);
    expect(((await tooMany.json()) as { error: { limit: string } }).error.limit).toBe("max_attempts");
    const [task] = await api.repos.tasks.list({ limit: 1 });
    const followUp = await postJson(`${api.url}/api/tasks/${task!.id}/messages`, { text: "more" });
    expect(followUp.status).toBe(429);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { makeRepo } from "../../../../test/helpers/repo.js";
import { postJson, startTestApi, type TestApi } from "../../testing/api.js";

interface Json {
  [key: string]: unknown;
}

describe.each(TEST_DIALECTS)("HTTP API on %s", (dialect) => {
  let api: TestApi;
  let repoId: string;
  let branch: string;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const response = await postJson(`${api.url}/api/repositories`, {
      name: "quire",
      source: makeRepo({ "README.md": "hi\n" }),
    });
    expect(response.status).toBe(201);
    const { repository } = (await response.json()) as { repository: { id: string; defaultBranch: string } };
    repoId = repository.id;
    branch = repository.defaultBranch;
  });
  afterAll(async () => api?.close());

  const createTask = async (body: Json = {}) =>
    postJson(`${api.url}/api/tasks`, { repo: repoId, ref: branch, mode: "code", prompt: "fix the bug", ...body });

  it("creates a task with its attempts and lists repositories", async () => {
    const response = await createTask({ attempts: 3, model: "gpt-5" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { task: Json; attempts: Json[] };
    expect(created.task).toMatchObject({
      repositoryId: repoId,
      status: "queued",
      attemptsRequested: 3,
      model: "gpt-5",
    });
    expect(created.attempts.map((a) => [a.number, a.status])).toEqual([
      [1, "queued"],
      [2, "queued"],
      [3, "queued"],
    ]);
    const attempts = await fetch(`${api.url}/api/tasks/${String(created.task.id)}/attempts`);
    expect(((await attempts.json()) as { attempts: Json[] }).attempts).toHaveLength(3);
    const single = (await (await createTask()).json()) as { attempts: Json[] };
    expect(single.attempts).toHaveLength(1);
    const repositories = (await (await fetch(`${api.url}/api/repositories`)).json()) as { repositories: Json[] };
    expect(repositories.repositories.map((r) => r.name)).toEqual(["quire"]);
  });

  it("rejects invalid requests with messages and creates nothing", async () => {
    const before = await api.repos.tasks.list();
    const cases: [Json, string][] = [
      [{ attempts: 5 }, "attempts"],
      [{ attempts: 0 }, "attempts"],
      [{ mode: "edit" }, "mode"],
      [{ prompt: "" }, "prompt"],
      [{ repo: "nope" }, "repo"],
      [{ environment: "nope" }, "environment"],
      [{ extra: 1 }, "(root)"],
    ];
    for (const [body, path] of cases) {
      const response = await createTask(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; issues: { path: string }[] } };
      expect(error.issues.map((issue) => issue.path)).toContain(path);
      expect(error.message).toContain(path);
    }
    const notJson = await fetch(`${api.url}/api/tasks`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/JSON/);
    const badRepo = await postJson(`${api.url}/api/repositories`, { name: "x" });
    expect(badRepo.status).toBe(400);
    expect(await api.repos.tasks.list()).toEqual(before);
    expect(await api.repos.repositories.list()).toHaveLength(1);
  });

  it("filters the task list by status, repository and archived", async () => {
    const otherResponse = await postJson(`${api.url}/api/repositories`, {
      name: "other",
      source: makeRepo({ "a.txt": "a\n" }),
    });
    const other = ((await otherResponse.json()) as { repository: { id: string; defaultBranch: string } }).repository;
    const { task: mine } = (await (await createTask()).json()) as { task: { id: string } };
    const { task: theirs } = (await (await createTask({ repo: other.id, ref: other.defaultBranch })).json()) as {
      task: { id: string };
    };
    await api.repos.tasks.updateStatus(theirs.id, "completed");
    await fetch(`${api.url}/api/tasks/${mine.id}/archive`, { method: "POST" });
    const ids = async (query: string) =>
      ((await (await fetch(`${api.url}/api/tasks?${query}`)).json()) as { tasks: { id: string }[] }).tasks.map(
        (t) => t.id,
      );
    expect(await ids(`repo=${other.id}`)).toEqual([theirs.id]);
    expect(await ids("status=completed")).toEqual([theirs.id]);
    expect(await ids("archived=true")).toEqual([mine.id]);
    expect(await ids("archived=false")).not.toContain(mine.id);
    expect(await ids("archived=false")).toContain(theirs.id);
    const bad = await fetch(`${api.url}/api/tasks?status=done`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues[0]?.path).toBe("status");
  });

  it("answers 404 for unknown tasks and routes", async () => {
    for (const [method, path] of [
      ["GET", "/api/tasks/nope"],
      ["GET", "/api/tasks/nope/attempts"],
      ["GET", "/api/tasks/nope/events"],
      ["POST", "/api/tasks/nope/cancel"],
      ["POST", "/api/tasks/nope/archive"],
      ["GET", "/api/nothing"],
    ] as const) {
      const response = await fetch(`${api.url}${path}`, { method });
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/no /);
    }
    const message = await postJson(`${api.url}/api/tasks/nope/messages`, { text: "hi" });
    expect(message.status).toBe(404);
  });

  it("cancels, archives and takes follow-up messages", async () => {
    const { task } = (await (await createTask()).json()) as { task: { id: string } };
    const cancel = await fetch(`${api.url}/api/tasks/${task.id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { task: Json }).task.cancelRequestedAt).toEqual(expect.any(String));
    const archive = await fetch(`${api.url}/api/tasks/${task.id}/archive`, { method: "POST" });
    expect(((await archive.json()) as { task: Json }).task.archived).toBe(true);
    const unarchive = await fetch(`${api.url}/api/tasks/${task.id}/unarchive`, { method: "POST" });
    expect(unarchive.status).toBe(200);
    expect(((await unarchive.json()) as { task: Json }).task.archived).toBe(false);
    expect((await api.repos.tasks.get(task.id))?.archived).toBe(false);
    await fetch(`${api.url}/api/tasks/${task.id}/archive`, { method: "POST" });
    const sent = await postJson(`${api.url}/api/tasks/${task.id}/messages`, { text: "also add a test" });
    expect(sent.status).toBe(201);
    expect((await api.repos.messages.listForTask(task.id)).map((m) => m.text)).toEqual(["also add a test"]);
    const empty = await postJson(`${api.url}/api/tasks/${task.id}/messages`, { text: " " });
    expect(empty.status).toBe(400);
    expect(await api.repos.messages.listForTask(task.id)).toHaveLength(1);

    await api.repos.tasks.updateStatus(task.id, "completed");
    const { task: ended } = (await (await createTask()).json()) as { task: { id: string } };
    await api.repos.tasks.updateStatus(ended.id, "failed");
    const late = await fetch(`${api.url}/api/tasks/${ended.id}/cancel`, { method: "POST" });
    expect(late.status).toBe(409);
  });

  it("documents every route in the OpenAPI document", async () => {
    const document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: { CreateTask: { properties: Record<string, unknown> } } };
    };
    expect(document.openapi).toMatch(/^3\./);
    const routes = api.app.routes.filter((route) => route.method !== "ALL");
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    expect(Object.keys(document.components.schemas.CreateTask.properties).sort()).toEqual(
      ["attempts", "base", "environment", "images", "mode", "model", "prompt", "ref", "repo", "reviewOf"].sort(),
    );
  });

  it("reports health, metrics and logs without the request's content", async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    await createTask({ prompt: "secret-prompt-text" });
    await fetch(`${api.url}/api/tasks/nope`);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/quire_http_requests_total\{method="POST",route="\/api\/tasks",status="201"\} \d+/);
    expect(metrics).toMatch(/quire_http_requests_total\{method="GET",route="\/api\/tasks\/:id",status="404"\} [1-9]/);
    expect(metrics).toMatch(/quire_http_request_duration_seconds_bucket\{le="0.005",method="GET"/);
    expect(metrics).toMatch(/quire_tasks_created_total\{mode="code"\} [1-9]/);
    expect(api.logs.some((line) => line.route === "/api/tasks" && line.status === "201")).toBe(true);
    expect(JSON.stringify(api.logs)).not.toContain("secret-prompt-text");
  });
});

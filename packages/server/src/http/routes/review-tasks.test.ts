import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { failingTestRepo, git, makeRepo, writeFiles } from "../../../../../test/helpers/repo.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";

interface Json {
  [key: string]: unknown;
}

describe.each(TEST_DIALECTS)("review tasks through the API on %s", (dialect) => {
  let api: TestApi;
  let repoId: string;
  let source: string;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    source = makeRepo(failingTestRepo);
    git(source, "checkout", "--quiet", "-b", "feature");
    writeFiles(source, { "src/add.js": "export function add(a, b) {\n  return a * b;\n}\n" });
    git(source, "commit", "--quiet", "-am", "multiply");
    git(source, "checkout", "--quiet", "main");
    const response = await postJson(`${api.url}/api/repositories`, { name: "tiny", source });
    repoId = ((await response.json()) as { repository: { id: string } }).repository.id;
  });
  afterAll(async () => api?.close());

  const create = (body: Json) => postJson(`${api.url}/api/tasks`, { repo: repoId, mode: "review", ...body });

  it("creates a review of base...ref: its workspace starts where they meet, the target is kept and shown", async () => {
    const response = await create({ base: "main", ref: "feature" });
    expect(response.status).toBe(201);
    const { task } = (await response.json()) as { task: Json };
    const main = git(source, "rev-parse", "main").trim();
    const feature = git(source, "rev-parse", "feature").trim();
    expect(task).toMatchObject({
      mode: "review",
      ref: "feature",
      baseCommit: main,
      prompt: "Review main...feature",
      reviewTarget: { kind: "range", base: main, head: feature },
      review: null,
    });
    const read = (await (await fetch(`${api.url}/api/tasks/${String(task.id)}`)).json()) as { task: Json };
    expect(read.task.reviewTarget).toEqual(task.reviewTarget);
    const listed = (await (await fetch(`${api.url}/api/tasks?mode=review`)).json()) as { tasks: Json[] };
    expect(listed.tasks.map((t) => t.id)).toEqual([task.id]);
  });

  it("refuses a review that names nothing to review, or too much, and a code task given a base; creates nothing", async () => {
    const codeTask = await postJson(`${api.url}/api/tasks`, { repo: repoId, ref: "main", mode: "code", prompt: "x" });
    const codeTaskId = ((await codeTask.json()) as { task: { id: string } }).task.id;
    const before = await api.repos.tasks.list();
    const cases: [Json, string, RegExp][] = [
      [{ ref: "feature" }, "base", /either base .* or reviewOf/],
      [{ ref: "feature", base: "main", reviewOf: codeTaskId }, "base", /either/],
      [{ ref: "feature", base: "nope" }, "base", /nope/],
      [{ ref: "nope", base: "main" }, "ref", /nope/],
      [{ ref: "feature", base: "feature" }, "base", /nothing to review/],
      [{ base: "main" }, "ref", /required/],
      [{ reviewOf: "nope" }, "reviewOf", /no task nope/],
      [{ reviewOf: codeTaskId }, "reviewOf", /no finished change to review/],
      [{ reviewOf: codeTaskId, ref: "main" }, "ref", /not taken with reviewOf/],
      [{ mode: "code", ref: "main", prompt: "x", base: "main" }, "base", /only a review task/],
      [{ mode: "ask", ref: "main" }, "prompt", /required/],
    ];
    for (const [body, path, message] of cases) {
      const response = await create(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; issues: { path: string }[] } };
      expect(
        error.issues.map((issue) => issue.path),
        JSON.stringify(body),
      ).toContain(path);
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(await api.repos.tasks.list()).toEqual(before);
  });

  it("delivers no review: its diff is the change it read", async () => {
    const response = await create({ base: "main", ref: "feature" });
    const { task } = (await response.json()) as { task: { id: string } };
    const deliver = await postJson(`${api.url}/api/tasks/${task.id}/deliver`, {});
    expect(deliver.status).toBe(409);
    expect(((await deliver.json()) as { error: { message: string } }).error.message).toContain("is a review");
  });
});

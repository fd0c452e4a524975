/**
 * GET /api/tasks: paging through every task with the `next` cursor, and searching by text,
 * mode, several statuses and delivery, on both databases; a search never reaches another
 * workspace's tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { LOCAL_USER_ID } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";

interface Page {
  tasks: { id: string; prompt: string }[];
  next: string | null;
}

describe.each(TEST_DIALECTS)("listing tasks on %s", (dialect) => {
  let api: TestApi;
  let repoId: string;
  let branch: string;
  const created: { id: string; prompt: string }[] = [];

  beforeAll(async () => {
    api = await startTestApi(dialect);
    const response = await postJson(`${api.url}/api/repositories`, { name: "r", source: makeRepo({ "a.txt": "a\n" }) });
    const { repository } = (await response.json()) as { repository: { id: string; defaultBranch: string } };
    repoId = repository.id;
    branch = repository.defaultBranch;
    const prompts = [
      ["code", "Fix the Flaky date test"],
      ["ask", "What does add() return?"],
      ["code", "Rename 100% of the helpers"],
      ["ask", "Where is the flaky retry?"],
      ["code", "Add a test for subtract"],
      ["code", "Speed up the build_cache"],
      ["ask", "Explain the buildXcache module"],
    ] as const;
    for (const [mode, prompt] of prompts) {
      const task = await postJson(`${api.url}/api/tasks`, { repo: repoId, ref: branch, mode, prompt });
      expect(task.status).toBe(201);
      created.push(((await task.json()) as { task: { id: string; prompt: string } }).task);
    }
  });
  afterAll(async () => api?.close());

  const list = async (query: string): Promise<Page> => {
    const response = await fetch(`${api.url}/api/tasks?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page;
  };
  const prompts = async (query: string) => (await list(query)).tasks.map((task) => task.prompt);

  it("pages through every task, newest first, with the next cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(`limit=3${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
      seen.push(...page.tasks.map((task) => task.id));
      cursor = page.next;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((task) => task.id).reverse());
    expect((await list("limit=7")).next).not.toBeNull();
    expect((await list("limit=8")).next).toBeNull();
  });

  it("searches the prompt's text, case-insensitively, with % and _ as plain characters", async () => {
    expect(await prompts("q=flaky")).toEqual(["Where is the flaky retry?", "Fix the Flaky date test"]);
    expect(await prompts(`q=${encodeURIComponent("100%")}`)).toEqual(["Rename 100% of the helpers"]);
    expect(await prompts("q=build_cache")).toEqual(["Speed up the build_cache"]);
    expect(await prompts("q=nothing-like-this")).toEqual([]);
  });

  it("filters by mode, several statuses, and whether the diff was delivered", async () => {
    expect(await prompts("mode=ask&q=flaky")).toEqual(["Where is the flaky retry?"]);
    await api.repos.tasks.updateStatus(created[0]!.id, "completed");
    await api.repos.tasks.updateStatus(created[4]!.id, "completed");
    await api.repos.tasks.updateStatus(created[5]!.id, "failed");
    await api.repos.tasks.setDelivery(created[4]!.id, {
      branch: "quire/x",
      commit: "0123456789abcdef",
      remote: "origin",
      message: "pushed quire/x",
    });
    expect(await prompts("status=completed,failed")).toEqual([
      "Speed up the build_cache",
      "Add a test for subtract",
      "Fix the Flaky date test",
    ]);
    expect(await prompts("status=completed&mode=code&delivered=false")).toEqual(["Fix the Flaky date test"]);
    expect(await prompts(`status=completed&repo=${repoId}&delivered=true`)).toEqual(["Add a test for subtract"]);
  });

  it("refuses bad queries by name and never lists another workspace's tasks", async () => {
    for (const [query, path] of [
      ["status=completed,done", "status"],
      ["mode=edit", "mode"],
      [`q=${"x".repeat(201)}`, "q"],
      ["before=nonsense", "before"],
      ["delivered=maybe", "delivered"],
    ]) {
      const response = await fetch(`${api.url}/api/tasks?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(path);
    }
    const workspace = await api.repos.workspaces.create({ name: "other", ownerUserId: LOCAL_USER_ID });
    await api.repos.tasks.create({
      repositoryId: repoId,
      ref: branch,
      mode: "ask",
      prompt: "Where is the flaky secret of another workspace?",
      attempts: 1,
      workspaceId: workspace.id,
    });
    expect(await prompts("q=flaky")).toEqual(["Where is the flaky retry?", "Fix the Flaky date test"]);
    expect(await prompts("q=another%20workspace")).toEqual([]);
  });
});

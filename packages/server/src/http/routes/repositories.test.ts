import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { startGitHttpServer, type GitHttpServer } from "../../../testing/git-http-server.js";
import { LOCAL_WORKSPACE_ID } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { mirrorDir } from "../../sources/sources.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";

interface RepositoryJson {
  id: string;
  name: string;
  source: string;
  defaultBranch: string;
}

describe.each(TEST_DIALECTS)("registering, renaming and removing repositories on %s", (dialect) => {
  let api: TestApi;
  let gitServer: GitHttpServer;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const projects = mkdtempSync(path.join(os.tmpdir(), "quire-projects-"));
    execFileSync("git", ["clone", "--quiet", "--bare", makeRepo({ "a.txt": "a\n" }), path.join(projects, "tiny.git")]);
    gitServer = await startGitHttpServer({ projectRoot: projects, authorization: null });
    // The operator's word that the local test git server may be reached (URLs are public-only).
    const gitPort = new URL(gitServer.url).port;
    writeFileSync(path.join(api.home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${gitPort}"]\n`);
  });
  afterAll(async () => {
    await gitServer?.close();
    await api?.close();
  });

  const register = async (name: string, source: string) => {
    const response = await postJson(`${api.url}/api/repositories`, { name, source });
    return {
      status: response.status,
      body: (await response.json()) as { repository?: RepositoryJson; error?: { message: string } },
    };
  };
  const request = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${api.url}${url}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  it("refuses the same local path twice with 409 and the existing id, however it is spelled", async () => {
    const dir = makeRepo({ "README.md": "hi\n" });
    const first = await register("local", dir);
    expect(first.status).toBe(201);
    const id = first.body.repository!.id;
    const link = path.join(mkdtempSync(path.join(os.tmpdir(), "quire-link-")), "repo");
    symlinkSync(dir, link);
    for (const spelling of [dir, `${dir}/`, link, `file://${dir}`]) {
      const again = await register("again", spelling);
      expect(again.status, spelling).toBe(409);
      expect(again.body.repository?.id, spelling).toBe(id);
      expect(again.body.error?.message, spelling).toContain(id);
    }
    const listed = (await request("GET", "/api/repositories")).body.repositories as RepositoryJson[];
    expect(listed.filter((repository) => repository.source === first.body.repository!.source)).toHaveLength(1);
  });

  it("refuses the same URL twice, with or without credentials or .git", async () => {
    const url = `${gitServer.url}/tiny.git`;
    const first = await register("tiny", url);
    expect(first.status).toBe(201);
    const withCredentials = url.replace("http://", "http://someone:hunter2@");
    for (const spelling of [url, withCredentials, url.replace(/\.git$/, ""), `${url}/`]) {
      const again = await register("tiny again", spelling);
      expect(again.status, spelling).toBe(409);
      expect(again.body.repository?.id, spelling).toBe(first.body.repository!.id);
      expect(JSON.stringify(again.body)).not.toContain("hunter2");
    }
  });

  it("takes a file:// URL as the local path it names, and says what to give for one it cannot", async () => {
    const dir = makeRepo({ "b.txt": "b\n" });
    const registered = await register("from file url", `file://${dir}`);
    expect(registered.status).toBe(201);
    expect(registered.body.repository!.source).toBe(execFileSync("realpath", [dir], { encoding: "utf8" }).trim());
    const remoteHost = await register("remote file", "file://otherhost/srv/repo");
    expect(remoteHost.status).toBe(400);
    expect(remoteHost.body.error?.message).toMatch(/give the absolute path/);
    const missing = await register("missing", "file:///no/such/dir");
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain("/no/such/dir does not exist");
  });

  it("renames a repository, refusing an empty name", async () => {
    const { body } = await register("old name", makeRepo({ "c.txt": "c\n" }));
    const id = body.repository!.id;
    const renamed = await request("PATCH", `/api/repositories/${id}`, { name: "  new name " });
    expect(renamed.status).toBe(200);
    expect((renamed.body.repository as RepositoryJson).name).toBe("new name");
    expect(((await request("GET", `/api/repositories/${id}`)).body.repository as RepositoryJson).name).toBe("new name");
    const empty = await request("PATCH", `/api/repositories/${id}`, { name: " " });
    expect(empty.status).toBe(400);
    expect((await request("PATCH", `/api/repositories/${id}`, { source: "/tmp" })).status).toBe(400);
    expect((await request("PATCH", "/api/repositories/nope", { name: "x" })).status).toBe(404);
    expect(((await request("GET", `/api/repositories/${id}`)).body.repository as RepositoryJson).name).toBe("new name");
    const audit = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID });
    expect(audit.map((entry) => `${entry.action} ${entry.target}`)).toContain(`repository.renamed ${id}`);
  });

  it("removes a repository once no task is active: its tasks stay readable, its environments and clone go", async () => {
    const url = `${gitServer.url}/tiny.git`;
    const existing = (await request("GET", "/api/repositories")).body.repositories as RepositoryJson[];
    const repository = existing.find((r) => r.name === "tiny")!;
    expect(existsSync(mirrorDir(api.home, repository.id))).toBe(true);
    const environment = await request("POST", "/api/environments", { repo: repository.id, name: "e", definition: {} });
    expect(environment.status).toBe(201);
    const created = await request("POST", "/api/tasks", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "ask",
      prompt: "what is a.txt?",
    });
    expect(created.status).toBe(201);
    const taskId = (created.body.task as { id: string }).id;

    // No worker runs here: the task stays queued, so removal is refused and changes nothing.
    const refused = await request("DELETE", `/api/repositories/${repository.id}`);
    expect(refused.status).toBe(409);
    expect(String((refused.body.error as { message: string }).message)).toMatch(/1 active task/);
    expect((await request("GET", `/api/repositories/${repository.id}`)).status).toBe(200);

    await api.repos.tasks.updateStatus(taskId, "completed");
    const removed = await request("DELETE", `/api/repositories/${repository.id}`);
    expect(removed.status).toBe(200);
    expect((await request("GET", `/api/repositories/${repository.id}`)).status).toBe(404);
    expect((await request("PATCH", `/api/repositories/${repository.id}`, { name: "x" })).status).toBe(404);
    expect((await request("DELETE", `/api/repositories/${repository.id}`)).status).toBe(404);
    const listed = (await request("GET", "/api/repositories")).body.repositories as RepositoryJson[];
    expect(listed.map((r) => r.id)).not.toContain(repository.id);
    expect(existsSync(mirrorDir(api.home, repository.id))).toBe(false);
    const environmentId = (environment.body.environment as { id: string }).id;
    expect((await request("GET", `/api/environments/${environmentId}`)).status).toBe(404);

    // The task's record stays readable; nothing new can start from the removed repository.
    const task = await request("GET", `/api/tasks/${taskId}`);
    expect(task.status).toBe(200);
    expect((task.body.task as { prompt: string }).prompt).toBe("what is a.txt?");
    const tasks = (await request("GET", "/api/tasks")).body.tasks as { id: string }[];
    expect(tasks.map((listed) => listed.id)).toContain(taskId);
    const file = await request("GET", `/api/tasks/${taskId}/file?path=a.txt`);
    expect(file.status).toBe(409);
    expect(String((file.body.error as { message: string }).message)).toMatch(/was removed/);
    const followUp = await request("POST", `/api/tasks/${taskId}/messages`, { text: "and b?" });
    expect(followUp.status).toBe(409);
    expect(String((followUp.body.error as { message: string }).message)).toMatch(/repository .* was removed/);
    const newTask = await request("POST", "/api/tasks", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "ask",
      prompt: "p",
    });
    expect(newTask.status).toBe(400);

    // The same source can be registered again, as a new repository.
    const again = await register("tiny", url);
    expect(again.status).toBe(201);
    expect(again.body.repository!.id).not.toBe(repository.id);
    const actions = (await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID })).map(
      (entry) => `${entry.action} ${entry.target}`,
    );
    expect(actions).toContain(`repository.removed ${repository.id}`);
  });
});

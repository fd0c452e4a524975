// Delivering a task pushes to the repository's registered URL. Registration, clone and fetch go
// through the destination rule (public hosts, plus what the operator's `[outbound] allow_private`
// names), and so must the push: the URL's name may resolve to the server's own host by the time a
// task is delivered (DNS changes; rows registered before the rule), and a push is a connection to
// it. Here the operator withdraws the allowance that let the local git server be registered,
// which is what a name now resolving to a private address looks like to the rule.
// Build first (`npm run build`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGitHttpServer, type GitHttpServer } from "../../packages/server/testing/git-http-server.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { waitForTask } from "../helpers/task-wait.js";
import { ADMIN, plansToml } from "../helpers/web-accounts.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let projects: string;
let gitServer: GitHttpServer;
let server: WebServer;
let allowance: string;

beforeAll(async () => {
  projects = mkdtempSync(path.join(os.tmpdir(), "quire-delivery-projects-"));
  const work = makeRepo(failingTestRepo);
  execFileSync("git", ["clone", "--quiet", "--bare", work, path.join(projects, "tiny.git")]);
  rmSync(work, { recursive: true, force: true });
  gitServer = await startGitHttpServer({ projectRoot: projects, authorization: null });
  allowance = `[outbound]\nallow_private = ["127.0.0.1:${new URL(gitServer.url).port}"]\n`;
  server = await startWebServer(
    {
      fix: (turn) =>
        turn === 0 ? { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] } : { text: "Fixed." },
    },
    { auth: { mode: "multi", admin: ADMIN }, plans: plansToml(50), config: allowance },
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  await gitServer?.close();
  rmSync(projects, { recursive: true, force: true });
});

it("pushes only to a destination the rule allows at the time of the push", async () => {
  const created = await server.api<{ repository: { id: string } }>("/api/repositories", "POST", {
    name: "tiny",
    source: `${gitServer.url}/tiny.git`,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const task = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
    repo: created.body.repository.id,
    ref: "main",
    mode: "code",
    prompt: "[script:fix] fix it",
  });
  expect(task.status, JSON.stringify(task.body)).toBe(201);
  expect(await waitForTask(server, task.body.task.id)).toBe("completed");

  // The address is no longer one the rule allows.
  writeFileSync(path.join(server.home, "config.toml"), "");
  const before = gitServer.requests.length;
  const refused = await server.api<{ error: { message: string } }>(
    `/api/tasks/${task.body.task.id}/deliver`,
    "POST",
    {},
  );
  expect(refused.status, JSON.stringify(refused.body)).toBe(502);
  expect(gitServer.requests.length).toBe(before);
  const bare = path.join(projects, "tiny.git");
  expect(git(bare, "branch", "--list").trim()).toBe("* main");

  // The control: allowed again, the same delivery goes through.
  writeFileSync(path.join(server.home, "config.toml"), allowance);
  const delivered = await server.api<{ delivery: { branch: string } }>(
    `/api/tasks/${task.body.task.id}/deliver`,
    "POST",
    {},
  );
  expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
  expect(git(bare, "show", `${delivered.body.delivery.branch}:src/add.js`)).toContain("a + b");
}, 180_000);

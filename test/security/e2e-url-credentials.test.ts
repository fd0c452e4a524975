// A repository registered by a URL with credentials in it (`https://user:token@host/…`): the
// token is kept encrypted as the repository's secret and used for clone, fetch and push through
// git's environment; the URL is stored, shown and audited without it. Build first (`npm run build`).
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHttpServer, type GitHttpServer } from "../../packages/server/testing/git-http-server.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { waitForTask } from "../helpers/task-wait.js";
import { ADMIN, plansToml } from "../helpers/web-accounts.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const TOKEN = `ghp_urlCredential${Date.now()}XYZ`;
const USER = "quire-bot";

let projects: string;
let gitServer: GitHttpServer;
let server: WebServer;

beforeAll(async () => {
  projects = mkdtempSync(path.join(os.tmpdir(), "quire-url-projects-"));
  const work = makeRepo(failingTestRepo);
  execFileSync("git", ["clone", "--quiet", "--bare", work, path.join(projects, "tiny.git")]);
  rmSync(work, { recursive: true, force: true });
  gitServer = await startGitHttpServer({
    projectRoot: projects,
    authorization: `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString("base64")}`,
  });
  server = await startWebServer(
    {
      fix: (turn) =>
        turn === 0 ? { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] } : { text: "Fixed." },
    },
    {
      auth: { mode: "multi", admin: ADMIN },
      plans: plansToml(50),
      // URL sources reach only public hosts unless the operator allows the local git server.
      config: `[outbound]\nallow_private = ["127.0.0.1:${new URL(gitServer.url).port}"]\n`,
    },
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  await gitServer?.close();
  rmSync(projects, { recursive: true, force: true });
});

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    const info = statSync(file, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isDirectory()) found.push(...filesContaining(file, needle));
    else if (info.isFile() && fileContains(file, needle)) found.push(file);
  }
  return found;
}

/** Read in chunks: a task's disk layer is a sparse image of several GiB, too big for one buffer. */
function fileContains(file: string, needle: string): boolean {
  const wanted = Buffer.from(needle);
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  const fd = openSync(file, "r");
  try {
    let carry = Buffer.alloc(0);
    for (
      let read = readSync(fd, chunk, 0, chunk.length, null);
      read > 0;
      read = readSync(fd, chunk, 0, chunk.length, null)
    ) {
      const window = Buffer.concat([carry, chunk.subarray(0, read)]);
      if (window.includes(wanted)) return true;
      carry = window.subarray(Math.max(0, window.length - wanted.length + 1));
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

describe("a repository URL with credentials", () => {
  it("is stored, shown and audited without them, and they still serve clone, fetch and push", async () => {
    const clean = `${gitServer.url}/tiny.git`;
    const withCredentials = clean.replace("http://", `http://${USER}:${encodeURIComponent(TOKEN)}@`);

    const refused = await server.api<{ error: { message: string } }>("/api/repositories", "POST", {
      name: "wrong",
      source: clean.replace("http://", `http://${USER}:wrong-${TOKEN}@`),
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).not.toContain(TOKEN);

    const created = await server.api<{ repository: { id: string; source: string } }>("/api/repositories", "POST", {
      name: "tiny",
      source: withCredentials,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.repository.source).toBe(clean);
    const repo = created.body.repository.id;

    const task = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
      repo,
      ref: "main",
      mode: "code",
      prompt: "[script:fix] fix it",
    });
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const status = await waitForTask(server, task.body.task.id);
    if (status !== "completed") {
      const attempts = await server.api(`/api/tasks/${task.body.task.id}/attempts`, "GET");
      throw new Error(JSON.stringify(attempts.body).slice(0, 3000));
    }
    const delivered = await server.api<{ delivery: { branch: string; remote: string } }>(
      `/api/tasks/${task.body.task.id}/deliver`,
      "POST",
      {},
    );
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
    expect(delivered.body.delivery.remote).toBe(clean);
    const bare = path.join(projects, "tiny.git");
    expect(git(bare, "show", `${delivered.body.delivery.branch}:src/add.js`)).toContain("a + b");

    // Nothing a viewer or an admin can read holds the token.
    const readable = await Promise.all(
      [
        "/api/repositories",
        `/api/repositories/${repo}`,
        `/api/repositories/${repo}/branches`,
        `/api/tasks/${task.body.task.id}`,
        `/api/tasks/${task.body.task.id}/attempts`,
        "/api/audit",
      ].map((route) => server.api(route, "GET")),
    );
    for (const response of readable) {
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain(TOKEN);
    }
    // Nor does anything in Quire's home: the database (encrypted), the clone's config, tasks, logs.
    expect(filesContaining(server.home, TOKEN)).toEqual([]);
    expect(filesContaining(server.home, encodeURIComponent(TOKEN))).toEqual([]);
    expect(server.serve.stderr() + server.serve.stdout()).not.toContain(TOKEN);
    // Every request to the git server carried the credentials in its header, as git sends them.
    expect(gitServer.requests.some((request) => request.url.includes("receive-pack"))).toBe(true);
  }, 120_000);
});

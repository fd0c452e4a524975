// A member of a multi-user `quire serve` registering local paths: only under the roots the
// operator configured (none by default), checked again whenever the source is used, and a
// delivery never pushes to a remote the registered checkout's own config names. Build first
// (`npm run build`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, git, writeFiles } from "../helpers/repo.js";
import { waitForTask } from "../helpers/task-wait.js";
import { ADMIN, plansToml } from "../helpers/web-accounts.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const scripts = {
  ask: () => ({ text: "It adds numbers." }),
  fix: (turn: number) =>
    turn === 0 ? { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] } : { text: "Fixed." },
};

const temporary: string[] = [];
function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** A committed repository at `dir` (made here, so it can be placed under a root). */
function repoAt(dir: string, files: Record<string, string> = failingTestRepo): string {
  execFileSync("git", ["init", "--quiet", "--initial-branch=main", dir]);
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "Dev");
  writeFiles(dir, files);
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "-m", "initial");
  return dir;
}

let roots: string;
let outside: string;
let withRoots: WebServer;
let withoutRoots: WebServer;

beforeAll(async () => {
  roots = temp("quire-local-roots-");
  // Another tenant's repository, somewhere else on the host.
  outside = repoAt(path.join(temp("quire-elsewhere-"), "private"), {
    ...failingTestRepo,
    "secret.txt": "TOP-SECRET\n",
  });
  const options = { auth: { mode: "multi" as const, admin: ADMIN }, plans: plansToml(50) };
  [withRoots, withoutRoots] = await Promise.all([
    startWebServer(scripts, { ...options, env: { QUIRE_LOCAL_SOURCE_ROOTS: roots } }),
    startWebServer(scripts, { ...options, env: { QUIRE_LOCAL_SOURCE_ROOTS: "" } }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([withRoots?.close(), withoutRoots?.close()]);
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const register = (server: WebServer, source: string) =>
  server.api<{ repository: { id: string }; error?: { message: string } }>("/api/repositories", "POST", {
    name: "r",
    source,
  });

async function runTask(server: WebServer, repo: string, script: keyof typeof scripts, mode: "ask" | "code") {
  const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
    repo,
    ref: "main",
    mode,
    prompt: `[script:${script}] go`,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(await waitForTask(server, created.body.task.id)).toBe("completed");
  return created.body.task.id;
}

describe("local repository paths on a multi-user server", () => {
  it("are refused when the operator configured no roots, with the same answer for existing and missing paths", async () => {
    const existing = await register(withoutRoots, outside);
    const missing = await register(withoutRoots, `${outside}-missing`);
    expect(existing.status).toBe(400);
    expect(missing.status).toBe(400);
    expect(existing.body.error?.message).toMatch(/accepts no local repository paths/);
    expect(missing.body.error?.message.replace("-missing", "")).toBe(existing.body.error?.message);
    // Quire's own source tree is a local path like any other.
    expect((await register(withoutRoots, path.resolve(import.meta.dirname, "../.."))).status).toBe(400);
    const listed = await withoutRoots.api<{ repositories: unknown[] }>("/api/repositories", "GET");
    expect(listed.body.repositories).toEqual([]);
  });

  it("are accepted only under a root, after symlinks and the git directory are resolved", async () => {
    expect((await register(withRoots, outside)).status).toBe(400);
    // A symlink under the root that leads out of it.
    const link = path.join(roots, "link");
    symlinkSync(outside, link);
    expect((await register(withRoots, link)).status).toBe(400);
    // A checkout under the root whose `.git` file points at the other repository's git data.
    const borrowed = path.join(roots, "borrowed");
    execFileSync("mkdir", [borrowed]);
    writeFileSync(path.join(borrowed, ".git"), `gitdir: ${path.join(outside, ".git")}\n`);
    expect((await register(withRoots, borrowed)).status).toBe(400);
    // A repository that really is under the root.
    const inside = repoAt(path.join(roots, "inside"));
    expect((await register(withRoots, inside)).status).toBe(201);
  });

  it("are checked again when used: a path swapped for a symlink out of the roots reads nothing", async () => {
    const swap = repoAt(path.join(roots, "swap"));
    const registered = await register(withRoots, swap);
    expect(registered.status).toBe(201);
    const repo = registered.body.repository.id;
    const taskId = await runTask(withRoots, repo, "ask", "ask");

    // The directory is replaced by a link to another tenant's repository (same commit ids would
    // not be needed: the file route reads whatever the path names now).
    renameSync(swap, `${swap}-gone`);
    symlinkSync(outside, swap);
    const file = await withRoots.api<{ content?: string; error?: { message: string } }>(
      `/api/tasks/${taskId}/file?path=secret.txt`,
      "GET",
    );
    expect(file.status).toBe(409);
    expect(JSON.stringify(file.body)).not.toContain("TOP-SECRET");
    const again = await withRoots.api("/api/tasks", "POST", {
      repo,
      ref: "main",
      mode: "ask",
      prompt: "[script:ask] x",
    });
    expect(again.status).toBe(409);
  });

  it("deliver into the registered repository itself, never to the remote its own config names", async () => {
    // Another tenant's remote, named as `origin` in the checkout's .git/config.
    const victim = path.join(temp("quire-victim-remote-"), "victim.git");
    execFileSync("git", ["init", "--quiet", "--bare", victim]);
    const checkout = repoAt(path.join(roots, "deliver"));
    git(checkout, "remote", "add", "origin", victim);
    const registered = await register(withRoots, checkout);
    expect(registered.status).toBe(201);
    const taskId = await runTask(withRoots, registered.body.repository.id, "fix", "code");

    const delivered = await withRoots.api<{ delivery: { branch: string; remote: string } }>(
      `/api/tasks/${taskId}/deliver`,
      "POST",
      {},
    );
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
    const branch = delivered.body.delivery.branch;
    expect(git(victim, "branch", "--list").trim()).toBe("");
    expect(git(checkout, "branch", "--list", branch).trim()).toBe(branch);
    expect(git(checkout, "show", `${branch}:src/add.js`)).toContain("a + b");
  });
});

/**
 * `quire serve` end to end over HTTP, with the scripted model: create a task, stream its events,
 * verification, follow-up, diff and patch, delivery to a bare repository, cancel.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ScriptedReply } from "@quire/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import {
  api,
  perConversation,
  readTaskEvents,
  startServe,
  type ServeProcess,
  type StreamedEvent,
} from "../helpers/server.js";
import { dropPostgresSchemas, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterAll(dropPostgresSchemas);

afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const fixReplies: ScriptedReply[] = [
  { toolCalls: [{ name: "shell", arguments: { command: ["node", "test.js"] } }] },
  { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
  { text: "Fixed `add` in src/add.js:2." },
];

const wrongPatch = fixAddPatch.replace("+  return a + b;", "+  return a * b;");

function finals(events: StreamedEvent[]) {
  return events.filter((e) => e.event.type === "task.completed");
}

describe.each(serverDatabases())("quire serve on $name", (database) => {
  async function serve(modelUrl: string): Promise<{ server: ServeProcess; home: string }> {
    const home = tempHome();
    const env = { ...providerEnv("openai", modelUrl), ...(await database.env()) };
    const server = await startServe({ home, env, args: ["-m", "scripted-model", "--workers", "3"] });
    running.push(server);
    return { server, home };
  }

  async function register(url: string, source: string): Promise<{ id: string; defaultBranch: string }> {
    const created = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${url}/api/repositories`,
      "POST",
      {
        name: "tiny",
        source,
      },
    );
    expect(created.status).toBe(201);
    return created.body.repository;
  }

  it("runs a code task: live events, verified by AGENTS.md's test command, diff, patch, follow-up, delivery", async () => {
    const model = await scriptedModel(
      perConversation(
        (_key, turn) => [...fixReplies, { text: "Also checked: nothing else to change." }][turn] ?? { text: "done" },
      ),
    );
    const { server } = await serve(model.url);
    const remote = mkdtempSync(path.join(os.tmpdir(), "quire-remote-"));
    execFileSync("git", ["init", "--quiet", "--bare", remote]);
    const source = makeRepo(failingTestRepo);
    git(source, "remote", "add", "origin", remote);
    const repository = await register(server.url, source);

    const created = await api<{ task: { id: string; status: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "fix the failing test",
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;

    const events = await readTaskEvents(server.url, taskId);
    expect(events.map((e) => e.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.event.type).toBe("thread.started");
    // The person's words open the round, in storage and over SSE.
    expect(events[1]?.event).toMatchObject({
      type: "item.completed",
      item: { type: "user_message", text: "fix the failing test" },
    });
    const final = events.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "completed", verification: { status: "verified" } });
    expect(final?.diff).toContain("+  return a + b;");
    // The checks ran as their own command items, after the agent's.
    const checks = events.filter(
      (e) => e.event.type === "item.completed" && String((e.event.item as { id: string }).id).startsWith("verify_"),
    );
    expect(checks.map((e) => (e.event.item as { command: string }).command).join("\n")).toContain("node test.js");

    const task = await api<{ task: { status: string; verification: string; diffStats: { insertions: number } } }>(
      `${server.url}/api/tasks/${taskId}`,
      "GET",
    );
    expect(task.body.task).toMatchObject({
      status: "completed",
      verification: "verified",
      diffStats: { insertions: 1, deletions: 1 },
    });

    // Metered on every server: tokens, and the sandbox's CPU time where command cgroups measure it
    // (cgroup v2, or v1 as root).
    const usage = await api<{ rows: { inputTokens: number; modelCalls: number; cpuSeconds: number | null }[] }>(
      `${server.url}/api/usage?groupBy=task`,
      "GET",
    );
    expect(usage.body.rows[0]).toMatchObject({ modelCalls: 3 });
    expect(usage.body.rows[0]?.inputTokens).toBeGreaterThan(0);
    if (process.getuid?.() === 0) expect(usage.body.rows[0]?.cpuSeconds).toBeGreaterThan(0);

    const diff = await api<string>(`${server.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff.status).toBe(200);
    expect(diff.body).toContain("-  return a - b;\n+  return a + b;");
    // Read in pages of 100 bytes with Range: the same bytes; past the end, a 416 that says the size.
    const whole = Buffer.from(diff.body);
    const pages: Buffer[] = [];
    for (let start = 0; start < whole.length; start += 100) {
      const page = await fetch(`${server.url}/api/tasks/${taskId}/diff`, {
        headers: { range: `bytes=${start}-${start + 99}` },
      });
      expect(page.status).toBe(206);
      expect(page.headers.get("content-range")).toBe(
        `bytes ${start}-${Math.min(start + 99, whole.length - 1)}/${whole.length}`,
      );
      pages.push(Buffer.from(await page.arrayBuffer()));
    }
    expect(Buffer.concat(pages).equals(whole)).toBe(true);
    const past = await fetch(`${server.url}/api/tasks/${taskId}/diff`, {
      headers: { range: `bytes=${whole.length}-` },
    });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${whole.length}`);
    const patch = await api<string>(`${server.url}/api/tasks/${taskId}/diff?format=patch`, "GET");
    expect(patch.body).toMatch(/^From [0-9a-f]{40} /);
    expect(patch.body).toContain("Subject: [PATCH] fix the failing test");

    // A follow-up goes into the same attempt and workspace; the stream resumes after the last id.
    const lastId = events.at(-1)?.id ?? 0;
    const followUp = await api(`${server.url}/api/tasks/${taskId}/messages`, "POST", { text: "anything else?" });
    expect(followUp.status).toBe(201);
    const more = await readTaskEvents(server.url, taskId, { lastEventId: lastId });
    expect(more[0]?.id).toBe(lastId + 1);
    expect(more[1]?.event).toMatchObject({
      type: "item.completed",
      item: { type: "user_message", text: "anything else?" },
    });
    expect(more.at(-1)?.event).toMatchObject({
      type: "task.completed",
      status: "completed",
      final_message: "Also checked: nothing else to change.",
    });
    // Same workspace: the diff still holds the first round's fix.
    expect(more.at(-1)?.event.diff).toContain("+  return a + b;");

    const delivered = await api<{ delivery: { branch: string; commit: string; message: string } }>(
      `${server.url}/api/tasks/${taskId}/deliver`,
      "POST",
      {},
    );
    expect(delivered.status).toBe(200);
    const { branch, commit } = delivered.body.delivery;
    expect(git(remote, "rev-parse", `refs/heads/${branch}`).trim()).toBe(commit);
    expect(git(remote, "show", `${commit}:src/add.js`)).toContain("return a + b;");
    // The commit's message carries the follow-ups that shaped the change.
    expect(git(remote, "log", "-1", "--format=%B", commit)).toContain("Follow-ups:\n- anything else?");
    expect(delivered.body.delivery.message).toContain(branch);
  });

  it("shows checks failed, with the log, when the diff does not make the tests pass", async () => {
    const replies: ScriptedReply[] = [
      { toolCalls: [{ name: "apply_patch", arguments: { input: wrongPatch } }] },
      { text: "All tests pass now." },
    ];
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "done" }));
    const { server } = await serve(model.url);
    const repository = await register(server.url, makeRepo(failingTestRepo));
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "fix the failing test",
    });
    const events = await readTaskEvents(server.url, created.body.task.id);
    const final = events.at(-1)?.event as unknown as { status: string; verification: { status: string; log: string } };
    expect(final.status).toBe("completed");
    expect(final.verification.status).toBe("checks_failed");
    expect(final.verification.log).toContain("FAIL: add(2, 3) = 6");
  });

  // The default setup's main job: a repository with no test command in AGENTS.md and no
  // environment checks. Verification is skipped, and that must be stored, not fail the task.
  it("completes a code task in a repository without checks: verification skipped, diff kept", async () => {
    const notePatch = [
      "*** Begin Patch",
      "*** Update File: notes.txt",
      "@@",
      "-first draft",
      "+second draft",
      "*** End Patch",
    ].join("\n");
    const replies: ScriptedReply[] = [
      { toolCalls: [{ name: "apply_patch", arguments: { input: notePatch } }] },
      { text: "Updated notes.txt." },
    ];
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "done" }));
    const { server } = await serve(model.url);
    const repository = await register(server.url, makeRepo({ "notes.txt": "first draft\n" }));
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "revise the notes",
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    const events = await readTaskEvents(server.url, taskId);
    const final = events.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "completed" });
    expect(final).not.toHaveProperty("reason");
    expect(final?.diff).toContain("+second draft");

    const task = await api<{ task: { status: string; verification: string | null } }>(
      `${server.url}/api/tasks/${taskId}`,
      "GET",
    );
    expect(task.body.task).toMatchObject({ status: "completed", verification: "skipped" });
    const diff = await api<string>(`${server.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff.status).toBe(200);
    expect(diff.body).toContain("-first draft\n+second draft");
  });

  it("runs three attempts in parallel and ranks them: verified first, then the smaller diff", async () => {
    const bigFix = fixAddPatch.replace("+  return a + b;", "+  // fixed\n+  return a + b;");
    const attemptsReplies: ScriptedReply[][] = [
      [{ toolCalls: [{ name: "apply_patch", arguments: { input: wrongPatch } }] }, { text: "wrong" }],
      [{ toolCalls: [{ name: "apply_patch", arguments: { input: bigFix } }] }, { text: "big fix" }],
      [{ toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] }, { text: "small fix" }],
    ];
    const seen: string[] = [];
    const model = await scriptedModel(
      perConversation((key, turn) => {
        if (!seen.includes(key)) seen.push(key);
        return attemptsReplies[seen.indexOf(key)]?.[turn] ?? { text: "done" };
      }),
    );
    const { server } = await serve(model.url);
    const repository = await register(server.url, makeRepo(failingTestRepo));
    const created = await api<{ task: { id: string }; attempts: { id: string }[] }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "fix the failing test",
      attempts: 3,
    });
    expect(created.body.attempts).toHaveLength(3);
    const events = await readTaskEvents(server.url, created.body.task.id);
    const ends = finals(events);
    expect(ends).toHaveLength(4);
    const taskEnd = ends.at(-1);
    expect(taskEnd?.attemptId).toBeNull();
    const byMessage = new Map(ends.slice(0, 3).map((e) => [e.event.final_message as string, e.attemptId]));
    // When it fails, say how each attempt ended (a rare failure in a loaded CI run ended one attempt early).
    const outcomes = ends.slice(0, 3).map((e) => {
      const { status, reason, final_message, verification } = e.event as Record<string, unknown>;
      return { attempt: e.attemptId, status, reason, final_message, verification };
    });
    expect(taskEnd?.event.ranking, JSON.stringify(outcomes)).toEqual([
      byMessage.get("small fix"),
      byMessage.get("big fix"),
      byMessage.get("wrong"),
    ]);
    expect(taskEnd?.event.final_message).toBe("small fix");
    const attempts = await api<{ attempts: { id: string; verification: string; diff: string }[] }>(
      `${server.url}/api/tasks/${created.body.task.id}/attempts`,
      "GET",
    );
    // Each attempt worked in its own workspace, with its own diff.
    expect(new Set(attempts.body.attempts.map((a) => a.diff)).size).toBe(3);
    const diff = await api<string>(`${server.url}/api/tasks/${created.body.task.id}/diff`, "GET");
    expect(diff.body).not.toContain("// fixed");
    expect(diff.body).toContain("+  return a + b;");
  });

  it("cancels a running task: the command stops and the task ends cancelled", async () => {
    const model = await scriptedModel(
      perConversation((_key, turn) =>
        turn === 0
          ? { toolCalls: [{ name: "shell", arguments: { command: ["sleep", "60"], timeout_ms: 120_000 } }] }
          : { text: "done" },
      ),
    );
    const { server } = await serve(model.url);
    const repository = await register(server.url, makeRepo(failingTestRepo));
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "wait",
    });
    const taskId = created.body.task.id;
    await readTaskEvents(server.url, taskId, {
      until: (e) => e.event.type === "item.started" && (e.event.item as { type: string }).type === "command_execution",
    });
    const started = Date.now();
    const cancel = await api<{ task: { status: string } }>(`${server.url}/api/tasks/${taskId}/cancel`, "POST");
    expect(cancel.status).toBe(200);
    const events = await readTaskEvents(server.url, taskId);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(events.at(-1)?.event).toMatchObject({ type: "task.completed", status: "cancelled" });
    const task = await api<{ task: { status: string } }>(`${server.url}/api/tasks/${taskId}`, "GET");
    expect(task.body.task.status).toBe("cancelled");
    const again = await api(`${server.url}/api/tasks/${taskId}/cancel`, "POST");
    expect(again.status).toBe(409);
  });

  it("rejects bad requests with a 4xx that says what is wrong, creating nothing", async () => {
    const model = await scriptedModel([{ text: "unused" }]);
    const { server } = await serve(model.url);
    const repository = await register(server.url, makeRepo(failingTestRepo));
    const cases: [unknown, RegExp][] = [
      [{ repo: repository.id, ref: "no-such-branch", mode: "code", prompt: "x" }, /ref: .*no-such-branch/],
      [{ repo: "nope", ref: "main", mode: "code", prompt: "x" }, /repo: no repository nope/],
      [{ repo: repository.id, ref: repository.defaultBranch, mode: "write", prompt: "x" }, /mode/],
      [{ repo: repository.id, ref: repository.defaultBranch, mode: "code", prompt: "x", attempts: 5 }, /attempts/],
    ];
    for (const [body, message] of cases) {
      const response = await api<{ error: { message: string } }>(`${server.url}/api/tasks`, "POST", body);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    }
    const badRepo = await api<{ error: { message: string } }>(`${server.url}/api/repositories`, "POST", {
      name: "x",
      source: "/no/such/dir",
    });
    expect(badRepo.status).toBe(400);
    expect(badRepo.body.error.message).toContain("does not exist");
    const tasks = await api<{ tasks: unknown[] }>(`${server.url}/api/tasks`, "GET");
    expect(tasks.body.tasks).toEqual([]);
    const repositories = await api<{ repositories: unknown[] }>(`${server.url}/api/repositories`, "GET");
    expect(repositories.body.repositories).toHaveLength(1);
  });
});

/**
 * A server killed with SIGKILL in the middle of a task, then started again: the task ends
 * interrupted, every event written before the kill is still there, and an SSE client resumes
 * from its last id with no gap and no duplicate. With PostgreSQL, workers in other processes
 * (`quire worker`) run the tasks, and a killed worker's attempt is interrupted when its lease runs out.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, spawnQuire, startServe, type ServeProcess } from "../helpers/server.js";
import { dropPostgresSchemas, newPostgresSchema, postgresUrl, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(dropPostgresSchemas);

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const sleepThenAnswer = perConversation((_key, turn) =>
  turn === 0
    ? {
        text: "Waiting a while.",
        toolCalls: [{ name: "shell", arguments: { command: ["sleep", "60"], timeout_ms: 120_000 } }],
      }
    : { text: "done" },
);

async function createTask(url: string, repo: string): Promise<string> {
  const repository = await api<{ repository: { id: string; defaultBranch: string } }>(
    `${url}/api/repositories`,
    "POST",
    {
      name: "tiny",
      source: repo,
    },
  );
  const created = await api<{ task: { id: string } }>(`${url}/api/tasks`, "POST", {
    repo: repository.body.repository.id,
    ref: repository.body.repository.defaultBranch,
    mode: "code",
    prompt: "wait for it",
  });
  expect(created.status).toBe(201);
  return created.body.task.id;
}

const commandStarted = (e: { event: { type: string; item?: unknown } }) =>
  e.event.type === "item.started" && (e.event.item as { type: string }).type === "command_execution";

describe.each(serverDatabases())("a server killed mid-task on $name", (database) => {
  it("comes back with the task interrupted, its events intact, and the stream resumable without gap or duplicate", async () => {
    const model = await scriptedModel(sleepThenAnswer);
    const home = tempHome();
    const env = { ...providerEnv("openai", model.url), ...(await database.env()) };
    const args = ["-m", "scripted-model"];
    const first = await startServe({ home, env, args });
    cleanups.push(() => first.stop());
    const taskId = await createTask(first.url, makeRepo(failingTestRepo));
    const before = await readTaskEvents(first.url, taskId, { until: commandStarted });
    await first.kill();

    const second: ServeProcess = await startServe({ home, env, args });
    cleanups.push(() => second.stop());
    // Resumed from the last id seen before the kill: the rest, starting right after it.
    const lastSeen = before.at(-1)?.id ?? 0;
    const rest = await readTaskEvents(second.url, taskId, { lastEventId: lastSeen, timeoutMs: 60_000 });
    expect(rest[0]?.id).toBe(lastSeen + 1);
    expect(rest.at(-1)?.event).toMatchObject({ type: "task.completed", status: "interrupted" });
    expect(String(rest.at(-1)?.event.reason)).toMatch(/interrupted/);

    // Everything from the start: the events seen before the kill, unchanged, then the rest.
    const all = await readTaskEvents(second.url, taskId);
    expect(all.map((e) => e.id)).toEqual(all.map((_, index) => index + 1));
    expect(all.slice(0, before.length)).toEqual(before);
    expect(all.slice(lastSeen)).toEqual(rest);
    const task = await api<{ task: { status: string } }>(`${second.url}/api/tasks/${taskId}`, "GET");
    expect(task.body.task.status).toBe("interrupted");
  });
});

describe("quire worker processes on one PostgreSQL queue", () => {
  it("run the server's tasks; a killed worker's attempt is interrupted when its lease runs out", async () => {
    const model = await scriptedModel(
      perConversation((key, turn, request) => {
        if (turn > 0) return { text: `done ${key}` };
        const seconds = request.rawText.includes("slow task please") ? 60 : 1;
        return {
          toolCalls: [{ name: "shell", arguments: { command: ["sh", "-c", `sleep ${seconds}; echo worked`] } }],
        };
      }),
    );
    const home = tempHome();
    const env = {
      ...providerEnv("openai", model.url),
      DATABASE_URL: postgresUrl(),
      QUIRE_DATABASE_SCHEMA: await newPostgresSchema(),
      QUIRE_LEASE_MS: "3000",
    };
    // The server runs no tasks itself: only the workers do.
    const server = await startServe({ home, env, args: ["-m", "scripted-model", "--workers", "0"] });
    cleanups.push(() => server.stop());
    const workers = [0, 1].map(() =>
      spawnQuire(["worker", "-m", "scripted-model", "--concurrency", "2"], { home: tempHome(), env }),
    );
    for (const worker of workers) {
      cleanups.push(async () => {
        worker.child.kill("SIGTERM");
        await worker.exited;
      });
    }
    const repo = makeRepo(failingTestRepo);
    const repository = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      {
        name: "tiny",
        source: repo,
      },
    );
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
        repo: repository.body.repository.id,
        ref: repository.body.repository.defaultBranch,
        mode: "ask",
        prompt: `task ${i}`,
      });
      ids.push(created.body.task.id);
    }
    const streams = await Promise.all(ids.map((id) => readTaskEvents(server.url, id, { timeoutMs: 90_000 })));
    for (const events of streams) {
      expect(events.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });
      const output = events.find(
        (e) => e.event.type === "item.completed" && (e.event.item as { type: string }).type === "command_execution",
      );
      expect((output?.event.item as { aggregated_output: string }).aggregated_output).toContain("worked");
    }
    // Both workers took part (each records its attempts under its own host:pid id).
    const attempts = await Promise.all(
      ids.map((id) => api<{ attempts: { workerId: string }[] }>(`${server.url}/api/tasks/${id}/attempts`, "GET")),
    );
    const workerIds = new Set(attempts.map((a) => a.body.attempts[0]?.workerId.split(":")[1]));
    expect(workerIds.size).toBe(2);

    // Now a long task, and the worker running it is killed.
    const slow = await api<{ task: { id: string }; attempts: { id: string }[] }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.body.repository.id,
      ref: repository.body.repository.defaultBranch,
      mode: "ask",
      prompt: "slow task please",
    });
    const before = await readTaskEvents(server.url, slow.body.task.id, { until: commandStarted, timeoutMs: 30_000 });
    const holder = (
      await api<{ attempts: { workerId: string }[] }>(`${server.url}/api/tasks/${slow.body.task.id}/attempts`, "GET")
    ).body.attempts[0]?.workerId;
    const victim = workers.find((w) => holder?.split(":")[1] === String(w.child.pid));
    expect(victim).toBeDefined();
    victim?.child.kill("SIGKILL");
    const rest = await readTaskEvents(server.url, slow.body.task.id, {
      lastEventId: before.at(-1)?.id,
      timeoutMs: 60_000,
    });
    expect(rest.at(-1)?.event).toMatchObject({ type: "task.completed", status: "interrupted" });
  });
});

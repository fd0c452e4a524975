/**
 * Review tasks through `quire serve` with the scripted model: a review of a code task's result and
 * of a branch against its base, the findings stored with the attempt and in the event stream, a
 * follow-up answered as a review again, and a reply that does not fit twice as a clear failure.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo, writeFiles } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";
import { dropPostgresSchemas, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterAll(dropPostgresSchemas);
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const finding = {
  title: "No test for add",
  body: "The fix has no test of its own.",
  priority: 2,
  confidence: 0.7,
  path: "src/add.js",
  start_line: 2,
  end_line: 2,
};
const verdict = { findings: [finding], overall: { verdict: "correct", explanation: "add is fixed." } };

describe.each(serverDatabases())("review tasks in quire serve on $name", (database) => {
  async function serve(modelUrl: string): Promise<ServeProcess> {
    const env = { ...providerEnv("openai", modelUrl), ...(await database.env()) };
    const server = await startServe({ home: tempHome(), env, args: ["-m", "scripted-model"] });
    running.push(server);
    return server;
  }

  it("reviews a code task's result: the diff it read, findings stored and streamed, a follow-up reviews again", async () => {
    const model = await scriptedModel(
      perConversation((_key, turn, request) => {
        const isReview = JSON.stringify(request.body).includes("What to flag");
        if (isReview) return { text: JSON.stringify(turn === 0 ? verdict : { ...verdict, findings: [] }) };
        return [{ toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] }, { text: "Fixed." }][turn]!;
      }),
    );
    const server = await serve(model.url);
    const source = makeRepo(failingTestRepo);
    const repository = (
      await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", { name: "tiny", source })
    ).body.repository;
    const code = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: "main",
      mode: "code",
      prompt: "fix add",
    });
    const codeId = code.body.task.id;
    expect((await readTaskEvents(server.url, codeId)).at(-1)?.event).toMatchObject({ status: "completed" });

    const created = await api<{ task: { id: string; prompt: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      mode: "review",
      reviewOf: codeId,
    });
    expect(created.status).toBe(201);
    expect(created.body.task.prompt).toBe(`Review the result of task ${codeId}`);
    const reviewId = created.body.task.id;
    const events = await readTaskEvents(server.url, reviewId);
    const items = events.flatMap((e) => (e.event.type === "item.completed" ? [e.event.item as { type: string }] : []));
    expect(items.map((item) => item.type).slice(-2)).toEqual(["agent_message", "review"]);
    expect(items.at(-1)).toMatchObject(verdict);
    const final = events.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "completed" });
    // The review's diff is the change it read; verification does not run on it.
    expect(final?.diff).toContain("+  return a + b;");
    expect(final?.verification).toBeUndefined();
    // The model was told what it reviews and given the diff.
    const reviewRequest = model.requests.find((request) => JSON.stringify(request.body).includes("What to flag"));
    expect(JSON.stringify(reviewRequest?.body)).toContain(`the result of task ${codeId}`);
    expect(JSON.stringify(reviewRequest?.body)).toContain("+  return a + b;");

    const task = await api<{ task: { review: unknown; reviewTarget: unknown; mode: string } }>(
      `${server.url}/api/tasks/${reviewId}`,
      "GET",
    );
    expect(task.body.task).toMatchObject({
      mode: "review",
      review: verdict,
      reviewTarget: { kind: "task", taskId: codeId },
    });
    const attempts = await api<{ attempts: { review: unknown }[] }>(
      `${server.url}/api/tasks/${reviewId}/attempts`,
      "GET",
    );
    expect(attempts.body.attempts[0]?.review).toEqual(verdict);

    // A follow-up is answered as a review again; its findings replace the first round's.
    const lastId = events.at(-1)?.id ?? 0;
    expect(
      (await api(`${server.url}/api/tasks/${reviewId}/messages`, "POST", { text: "is the nit real?" })).status,
    ).toBe(201);
    const more = await readTaskEvents(server.url, reviewId, { lastEventId: lastId });
    expect(more.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });
    const again = await api<{ task: { review: { findings: unknown[] } } }>(
      `${server.url}/api/tasks/${reviewId}`,
      "GET",
    );
    expect(again.body.task.review.findings).toEqual([]);
  });

  it("reviews a branch against its base; a reply that does not fit twice fails the task with the reason", async () => {
    const model = await scriptedModel(perConversation((_key, turn) => ({ text: turn === 0 ? "LGTM" : "{}" })));
    const server = await serve(model.url);
    const source = makeRepo(failingTestRepo);
    git(source, "checkout", "--quiet", "-b", "feature");
    writeFiles(source, { "src/add.js": "export function add(a, b) {\n  return a * b;\n}\n" });
    git(source, "commit", "--quiet", "-am", "multiply");
    const repository = (
      await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", { name: "tiny", source })
    ).body.repository;
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      mode: "review",
      base: "main",
      ref: "feature",
      prompt: "check the arithmetic",
    });
    expect(created.status).toBe(201);
    const events = await readTaskEvents(server.url, created.body.task.id);
    const final = events.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "failed" });
    expect(String(final?.reason)).toMatch(/did not fit the findings form, asked twice/);
    expect(model.requests).toHaveLength(2);
    const first = JSON.stringify(model.requests[0]?.body);
    expect(first).toContain("...feature (1 commit)");
    expect(first).toContain("check the arithmetic");
    expect(first).toContain("+  return a * b;");
    const task = await api<{ task: { status: string; review: unknown } }>(
      `${server.url}/api/tasks/${created.body.task.id}`,
      "GET",
    );
    expect(task.body.task).toMatchObject({ status: "failed", review: null });
  });
});

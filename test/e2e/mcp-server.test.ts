/**
 * Quire as an MCP server (issue 15, item 2), driven by the SDK's own client: `/mcp` on a real
 * `quire serve` over streamable HTTP (single-user; with accounts: no token is a 401, a token
 * works) and `quire mcp` over stdio on the local home, each through a whole task.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RecordedRequest, ScriptedReply } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, quireBin, quireEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, startServe } from "../helpers/server.js";
import { adminEnv, signedInToken } from "../helpers/server-tokens.js";

const scriptedModel = useScriptedModels();
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

function script(request: RecordedRequest, turn: number): ScriptedReply {
  if (requestText(request).includes("what does add do")) return { text: "It subtracts." };
  if (requestText(request).includes("What to flag"))
    return { text: JSON.stringify({ findings: [], overall: { verdict: "correct", explanation: "Looks right." } }) };
  const fix: ScriptedReply[] = [
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    { text: "Fixed `add`." },
    { text: "Nothing else to change." },
  ];
  return fix[turn] ?? { text: "done" };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Record<string, unknown>;
}

/** Waits through the tool (it answers after at most timeout_seconds; still_running says to call again). */
async function waitThroughTool(client: Client, taskId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const task = await call(client, "wait_for_task", { task_id: taskId, timeout_seconds: 20 });
    if (!task.still_running) return task;
  }
}

/** A whole code task through the tools: create, wait, read, diff, follow up, wait, list. */
async function wholeTask(client: Client, repo: string | undefined): Promise<string> {
  const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
  expect(tools).toEqual([
    "create_task",
    "deliver_task",
    "get_task",
    "get_task_diff",
    "list_repositories",
    "list_tasks",
    "send_follow_up",
    "wait_for_task",
  ]);
  const created = await call(client, "create_task", { prompt: "fix the failing test", ...(repo ? { repo } : {}) });
  const taskId = String(created.task_id);
  const done = await waitThroughTool(client, taskId);
  expect(done).toMatchObject({ status: "completed", final_message: "Fixed `add`.", diff_stats: { insertions: 1 } });
  expect((await call(client, "get_task", { task_id: taskId })).status).toBe("completed");
  const diff = await call(client, "get_task_diff", { task_id: taskId });
  expect(diff.diff).toContain("+  return a + b;");
  expect(diff.truncated).toBe(false);
  const cut = await call(client, "get_task_diff", { task_id: taskId, max_bytes: 20 });
  expect(cut).toMatchObject({ truncated: true });
  expect(String(cut.diff).length).toBeLessThanOrEqual(20);

  await call(client, "send_follow_up", { task_id: taskId, text: "anything else?" });
  expect(await waitThroughTool(client, taskId)).toMatchObject({
    status: "completed",
    final_message: "Nothing else to change.",
  });
  const listed = await call(client, "list_tasks", {});
  expect((listed.tasks as { task_id: string }[]).map((task) => task.task_id)).toContain(taskId);

  // A bad input is refused by the tool's schema, and nothing is created.
  const refused = await client.callTool({ name: "create_task", arguments: { prompt: "x", mode: "paint" } });
  expect(refused.isError).toBe(true);
  return taskId;
}

describe("Quire as an MCP server", () => {
  it("serves its tools at /mcp on quire serve, through a whole task and its delivery", async () => {
    const model = await scriptedModel(perConversation((_key, turn, request) => script(request, turn)));
    const server = await startServe({
      home: tempHome(),
      env: providerEnv("openai", model.url),
      args: ["-m", "scripted-model"],
    });
    open.push({ close: () => server.stop() });
    const bare = mkdtempSync(path.join(os.tmpdir(), "quire-bare-"));
    execFileSync("git", ["init", "--quiet", "--bare", bare]);
    const source = makeRepo(failingTestRepo);
    git(source, "remote", "add", "origin", bare);
    // A branch with the fix, to review against the default branch.
    git(source, "checkout", "--quiet", "-b", "fixed");
    const add = path.join(source, "src/add.js");
    writeFileSync(add, readFileSync(add, "utf8").replace("a - b", "a + b"));
    git(source, "commit", "--quiet", "-am", "fix add");
    git(source, "checkout", "--quiet", "main");
    const registered = await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", {
      name: "tiny",
      source,
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    open.push(client);

    const taskId = await wholeTask(client, "tiny");
    const delivered = await call(client, "deliver_task", { task_id: taskId });
    expect(delivered.branch).toMatch(/^quire\//);
    expect(git(bare, "log", "--format=%s", String(delivered.branch))).toContain("fix the failing test");
    expect(registered.status).toBe(201);

    // A review of the task's result, and of a branch against the default branch; not of main against itself.
    for (const target of [{ review_of: taskId }, { ref: "fixed" }]) {
      const review = await call(client, "create_task", { prompt: "check the fix", mode: "review", ...target });
      expect(await waitThroughTool(client, String(review.task_id))).toMatchObject({ status: "completed" });
    }
    const itself = await client.callTool({ name: "create_task", arguments: { prompt: "x", mode: "review" } });
    expect(itself.isError).toBe(true);
  }, 300_000);

  it("answers /mcp on a multi-user server only with credentials, and then as the token's user", async () => {
    const model = await scriptedModel(perConversation((_key, turn, request) => script(request, turn)));
    const source = makeRepo(failingTestRepo);
    const server = await startServe({
      home: tempHome(),
      env: { ...providerEnv("openai", model.url), ...adminEnv, QUIRE_LOCAL_SOURCE_ROOTS: source },
      args: ["-m", "scripted-model", "--auth", "multi"],
    });
    open.push({ close: () => server.stop() });

    const anonymous = new Client({ name: "test", version: "1.0.0" });
    await expect(
      anonymous.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`))),
    ).rejects.toMatchObject({ code: 401, message: expect.stringContaining("unauthenticated") });

    const token = await signedInToken(server.url);
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    open.push(client);
    // The workspace has no repository yet: a tool error the model can read, not a crash.
    const none = await client.callTool({ name: "create_task", arguments: { prompt: "what does add do?" } });
    expect(none.isError).toBe(true);
    expect(JSON.stringify(none.content)).toContain("no repository is registered");
    const registered = await fetch(`${server.url}/api/repositories`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "tiny", source }),
    });
    expect(registered.status).toBe(201);
    const created = await call(client, "create_task", { prompt: "what does add do?", mode: "ask" });
    expect(await waitThroughTool(client, String(created.task_id))).toMatchObject({
      status: "completed",
      final_message: "It subtracts.",
    });
  }, 300_000);

  it("serves its tools over stdio with quire mcp, running the task on the local home", async () => {
    const model = await scriptedModel(perConversation((_key, turn, request) => script(request, turn)));
    const home = tempHome();
    const source = makeRepo(failingTestRepo);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [quireBin, "mcp", "-m", "scripted-model"],
      env: quireEnv(home, providerEnv("openai", model.url)) as Record<string, string>,
      // Editors start it in the project: the task goes to that checkout (registered on first use).
      cwd: source,
      stderr: "pipe",
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
    open.push(client);
    await wholeTask(client, undefined);
    const repositories = await call(client, "list_repositories", {});
    expect(repositories.repositories).toMatchObject([{ name: path.basename(source) }]);
  }, 300_000);
});

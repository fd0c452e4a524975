/**
 * `quire serve`: a follow-up after `quire gc` removed the attempt's workspace continues from the
 * task's stored diff, with the first round's work in place.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { snapshotsRoot } from "@quire/core";
import type { ScriptedReply } from "@quire/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";
import { dropPostgresSchemas, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterAll(dropPostgresSchemas);
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const addDoc = "*** Begin Patch\n*** Add File: NOTES.md\n+add() adds.\n*** End Patch";
const replies: ScriptedReply[] = [
  { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
  { text: "fixed" },
  // The follow-up: its first command looks at round 1's work.
  { toolCalls: [{ name: "shell", arguments: { command: ["cat", "src/add.js"] } }] },
  { toolCalls: [{ name: "apply_patch", arguments: { input: addDoc } }] },
  { text: "noted" },
];

describe.each(serverDatabases())("quire serve on $name", (database) => {
  it("a follow-up after `quire gc` removed the workspace continues from the stored diff", async () => {
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "done" }));
    const home = tempHome();
    const env = { ...providerEnv("openai", model.url), ...(await database.env()) };
    const server = await startServe({ home, env, args: ["-m", "scripted-model"] });
    running.push(server);
    const source = makeRepo(failingTestRepo);
    const remote = mkdtempSync(path.join(os.tmpdir(), "quire-remote-"));
    execFileSync("git", ["init", "--quiet", "--bare", remote]);
    git(source, "remote", "add", "origin", remote);
    const repository = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      { name: "tiny", source },
    );
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.body.repository.id,
      ref: repository.body.repository.defaultBranch,
      mode: "code",
      prompt: "fix add",
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    const first = await readTaskEvents(server.url, taskId);
    expect(first.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });

    const gc = await runQuire(["gc", "--older-than", "0"], { cwd: source, home, env: await database.env() });
    expect(gc.stdout).toMatch(/removed .*1 workspace/);

    const lastId = first.at(-1)?.id ?? 0;
    const followUp = await api(`${server.url}/api/tasks/${taskId}/messages`, "POST", { text: "document it" });
    expect(followUp.status).toBe(201);
    const more = await readTaskEvents(server.url, taskId, { lastEventId: lastId });
    const outputs = more.flatMap((e) =>
      e.event.type === "item.completed" && (e.event.item as { type: string }).type === "command_execution"
        ? [(e.event.item as { aggregated_output: string }).aggregated_output]
        : [],
    );
    expect(outputs[0]).toContain("return a + b;");
    const final = more.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "completed", final_message: "noted" });
    const diff = await api<string>(`${server.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff.body).toContain("+  return a + b;");
    expect(diff.body).toContain("+add() adds.");

    // Delivered, the commit's message says what was asked: the prompt, then the follow-up.
    const delivered = await api<{ delivery: { commit: string } }>(
      `${server.url}/api/tasks/${taskId}/deliver`,
      "POST",
      {},
    );
    expect(delivered.status).toBe(200);
    const message = git(remote, "log", "-1", "--format=%B", delivered.body.delivery.commit);
    expect(message).toMatch(/^fix add\n\nfix add\n\nFollow-ups:\n- document it\n\nnoted/);
  });

  it("a follow-up after the server's local task records and snapshots are gone continues from the database", async () => {
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "done" }));
    const home = tempHome();
    const env = { ...providerEnv("openai", model.url), ...(await database.env()) };
    const first = await startServe({ home, env, args: ["-m", "scripted-model"] });
    running.push(first);
    const source = makeRepo(failingTestRepo);
    const repository = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${first.url}/api/repositories`,
      "POST",
      { name: "tiny", source },
    );
    const created = await api<{ task: { id: string } }>(`${first.url}/api/tasks`, "POST", {
      repo: repository.body.repository.id,
      ref: repository.body.repository.defaultBranch,
      mode: "code",
      prompt: "fix add",
    });
    const taskId = created.body.task.id;
    const round1 = await readTaskEvents(first.url, taskId);
    expect(round1.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });
    await running.pop()?.stop();
    // Everything a worker keeps locally about the task goes: records, workspaces, snapshots.
    rmSync(path.join(home, "tasks"), { recursive: true, force: true });
    rmSync(snapshotsRoot(home), { recursive: true, force: true });

    const second = await startServe({ home, env, args: ["-m", "scripted-model"] });
    running.push(second);
    const lastId = round1.at(-1)?.id ?? 0;
    const followUp = await api(`${second.url}/api/tasks/${taskId}/messages`, "POST", { text: "document it" });
    expect(followUp.status).toBe(201);
    const more = await readTaskEvents(second.url, taskId, { lastEventId: lastId });
    const outputs = more.flatMap((e) =>
      e.event.type === "item.completed" && (e.event.item as { type: string }).type === "command_execution"
        ? [(e.event.item as { aggregated_output: string }).aggregated_output]
        : [],
    );
    expect(outputs[0]).toContain("return a + b;");
    expect(more.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed", final_message: "noted" });
    const diff = await api<string>(`${second.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff.body).toContain("+  return a + b;");
    expect(diff.body).toContain("+add() adds.");
  });
});

/**
 * Any worker can take any round. Two `quire worker` processes with their own homes on one
 * PostgreSQL (and `quire serve --workers 0` for the API): round 1 runs on worker A, A is killed
 * and its home deleted, and the follow-up completes on worker B with round 1's work in place; a
 * diff past the inline cap and a command's whole output stay downloadable with A's home gone.
 * And a server killed while the model holds a follow-up: that round ends interrupted, and the next
 * follow-up continues from the stored result.
 */
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ScriptedReply } from "@quire/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import {
  api,
  createTaskOnSource,
  perConversation,
  readTaskEvents,
  spawnQuire,
  startServe,
  type StreamedEvent,
} from "../helpers/server.js";
import { dropPostgresSchemas, newPostgresSchema, postgresUrl, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(dropPostgresSchemas);
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** 3,000 lines: its diff is far past the 4 KiB inline cap the workers are given. */
const BIG_LINES = Array.from({ length: 3000 }, (_, n) => `line ${n} of a generated table`);
const addBigFile = `*** Begin Patch\n*** Add File: table.txt\n${BIG_LINES.map((l) => `+${l}`).join("\n")}\n*** End Patch`;
const addDoc = "*** Begin Patch\n*** Add File: NOTES.md\n+add() adds.\n*** End Patch";
/** 1,000,000 bytes: 1000 lines of 1000; its event keeps only head and tail. */
const PRINT_1MB = 'for i in $(seq 1 1000); do printf "%0999d\\n" "$i"; done';
const wholeOutput = Array.from({ length: 1000 }, (_, n) => `${String(n + 1).padStart(999, "0")}\n`).join("");

const commandOutputs = (events: StreamedEvent[]) =>
  events.flatMap((e) =>
    e.event.type === "item.completed" && (e.event.item as { type: string }).type === "command_execution"
      ? [e.event.item as { id: string; aggregated_output: string; output_truncated?: boolean }]
      : [],
  );

/** The pid part of an attempt's worker id (`host:pid:random`). */
async function workerPidOf(url: string, taskId: string): Promise<string | undefined> {
  const attempts = await api<{ attempts: { workerId: string | null }[] }>(`${url}/api/tasks/${taskId}/attempts`, "GET");
  return attempts.body.attempts[0]?.workerId?.split(":")[1];
}

describe("quire worker processes in their own homes on one PostgreSQL", () => {
  it("a follow-up completes on another worker after the first is killed and its home deleted", async () => {
    const replies: ScriptedReply[] = [
      { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
      { toolCalls: [{ name: "apply_patch", arguments: { input: addBigFile } }] },
      { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", PRINT_1MB] } }] },
      { text: "fixed" },
      // The follow-up, on the other worker: its first command looks at round 1's work.
      { toolCalls: [{ name: "shell", arguments: { command: ["cat", "src/add.js"] } }] },
      { toolCalls: [{ name: "apply_patch", arguments: { input: addDoc } }] },
      { text: "noted" },
    ];
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "done" }));
    // What every process needs: the database, the secrets key, the model settings.
    const env = {
      ...providerEnv("openai", model.url),
      DATABASE_URL: postgresUrl(),
      QUIRE_DATABASE_SCHEMA: await newPostgresSchema(),
      QUIRE_SECRETS_KEY: randomBytes(32).toString("base64"),
    };
    const server = await startServe({ home: tempHome(), env, args: ["-m", "scripted-model", "--workers", "0"] });
    cleanups.push(() => server.stop());
    const startWorker = () => {
      const home = tempHome();
      writeFileSync(path.join(home, "config.toml"), "[limits]\ndiff_inline_bytes = 4096\n");
      const worker = spawnQuire(["worker", "-m", "scripted-model", "--concurrency", "1"], { home, env });
      cleanups.push(async () => {
        worker.child.kill("SIGTERM");
        await worker.exited;
        rmSync(home, { recursive: true, force: true });
      });
      return { ...worker, home };
    };

    const source = makeRepo(failingTestRepo);
    const a = startWorker();
    const taskId = await createTaskOnSource(server.url, source, { mode: "code", prompt: "fix add" });
    const round1 = await readTaskEvents(server.url, taskId, { timeoutMs: 120_000 });
    expect(round1.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed", diff_truncated: true });
    expect(await workerPidOf(server.url, taskId)).toBe(String(a.child.pid));
    const printed = commandOutputs(round1).find((item) => item.output_truncated);
    expect(printed).toBeDefined();

    // Worker A dies without a word, and everything it kept locally goes with it.
    a.child.kill("SIGKILL");
    await a.exited;
    rmSync(a.home, { recursive: true, force: true });

    // What round 1 made is still whole from the API: the big diff and the command's output.
    const diff1 = await api<string>(`${server.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff1.status).toBe(200);
    expect(diff1.body).toContain("+  return a + b;");
    expect(diff1.body).toContain(`+${BIG_LINES.at(-1)}`);
    const output = await fetch(`${server.url}/api/tasks/${taskId}/commands/${printed!.id}/output`);
    expect(output.status).toBe(200);
    expect((await output.text()) === wholeOutput).toBe(true);

    const b = startWorker();
    const followUp = await api(`${server.url}/api/tasks/${taskId}/messages`, "POST", { text: "document it" });
    expect(followUp.status).toBe(201);
    const round2 = await readTaskEvents(server.url, taskId, { lastEventId: round1.at(-1)?.id, timeoutMs: 120_000 });
    expect(round2.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed", final_message: "noted" });
    expect(await workerPidOf(server.url, taskId)).toBe(String(b.child.pid));
    expect(commandOutputs(round2)[0]?.aggregated_output).toContain("return a + b;");
    const diff2 = await api<string>(`${server.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff2.body).toContain("+  return a + b;");
    expect(diff2.body).toContain(`+${BIG_LINES.at(-1)}`);
    expect(diff2.body).toContain("+add() adds.");
    // Round 1's kept output is still served after the round that followed on another worker.
    const again = await fetch(`${server.url}/api/tasks/${taskId}/commands/${printed!.id}/output`);
    expect(Buffer.byteLength(await again.text())).toBe(1_000_000);
  }, 240_000);
});

describe.each(serverDatabases())("quire serve on $name killed while the model holds a follow-up", (database) => {
  it("ends that round interrupted; the next follow-up continues from the stored result", async () => {
    const addPartial = "*** Begin Patch\n*** Add File: PARTIAL.md\n+half done\n*** End Patch";
    const replies: ScriptedReply[] = [
      { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
      { text: "fixed" },
      // The follow-up that is cut off: a change, then the model holds its answer.
      { toolCalls: [{ name: "apply_patch", arguments: { input: addPartial } }] },
      { text: "never sent", delayMs: 600_000 },
      // The next follow-up.
      { toolCalls: [{ name: "shell", arguments: { command: ["cat", "src/add.js"] } }] },
      { toolCalls: [{ name: "apply_patch", arguments: { input: addDoc } }] },
      { text: "noted" },
    ];
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "done" }));
    const home = tempHome();
    const env = { ...providerEnv("openai", model.url), ...(await database.env()) };
    const first = await startServe({ home, env, args: ["-m", "scripted-model"] });
    cleanups.push(() => first.stop());
    const taskId = await createTaskOnSource(first.url, makeRepo(failingTestRepo), { mode: "code", prompt: "fix add" });
    const round1 = await readTaskEvents(first.url, taskId);
    expect(round1.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });

    expect((await api(`${first.url}/api/tasks/${taskId}/messages`, "POST", { text: "go on" })).status).toBe(201);
    const partialWritten = (e: StreamedEvent) =>
      e.event.type === "item.completed" && JSON.stringify(e.event.item).includes("PARTIAL.md");
    const held = await readTaskEvents(first.url, taskId, { lastEventId: round1.at(-1)?.id, until: partialWritten });
    expect(held.some(partialWritten)).toBe(true);
    // The model is holding its next answer now.
    await first.kill();

    const second = await startServe({ home, env, args: ["-m", "scripted-model"] });
    cleanups.push(() => second.stop());
    const cut = await readTaskEvents(second.url, taskId, { lastEventId: held.at(-1)?.id, timeoutMs: 60_000 });
    expect(cut.at(-1)?.event).toMatchObject({ type: "task.completed", status: "interrupted" });

    expect((await api(`${second.url}/api/tasks/${taskId}/messages`, "POST", { text: "document it" })).status).toBe(201);
    const round3 = await readTaskEvents(second.url, taskId, { lastEventId: cut.at(-1)?.id });
    expect(round3.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed", final_message: "noted" });
    expect(commandOutputs(round3)[0]?.aggregated_output).toContain("return a + b;");
    const diff = await api<string>(`${second.url}/api/tasks/${taskId}/diff`, "GET");
    expect(diff.body).toContain("+  return a + b;");
    expect(diff.body).toContain("+add() adds.");
    // The cut-off round stored nothing: its half-done change is not part of the result.
    expect(diff.body).not.toContain("PARTIAL.md");
  }, 240_000);
});

// A command that prints 1 MB: its event keeps head and tail (256 KiB), the whole output is kept
// with the task (`quire exec`: the task's outputs/ directory; the server: the blob store, served
// by GET /api/tasks/:id/commands/:item/output). Runs the built CLI (build first).
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { QuireEvent, ThreadItem } from "@quire/core";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { createTaskOnSource, readTaskEvents, startServe } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** 1,000,000 bytes: 1000 numbered lines of 1000 bytes; line n is n zero-padded to 999 characters. */
const PRINT_1MB = 'for i in $(seq 1 1000); do printf "%0999d\\n" "$i"; done';
const line = (n: number) => `${String(n).padStart(999, "0")}\n`;
const wholeOutput = Array.from({ length: 1000 }, (_, index) => line(index + 1)).join("");

type CommandItem = Extract<ThreadItem, { type: "command_execution" }>;

function completedCommand(events: QuireEvent[]): CommandItem {
  const item = events.flatMap((event) =>
    event.type === "item.completed" && event.item.type === "command_execution" ? [event.item] : [],
  )[0];
  expect(item).toBeDefined();
  return item!;
}

function expectHeadAndTail(item: CommandItem): void {
  expect(item).toMatchObject({ output_truncated: true, output_bytes: 1_000_000, exit_code: 0 });
  expect(Buffer.byteLength(item.aggregated_output)).toBeLessThanOrEqual(256 * 1024 + 100);
  expect(item.aggregated_output.startsWith(line(1))).toBe(true);
  expect(item.aggregated_output.endsWith(line(1000))).toBe(true);
  expect(item.aggregated_output.includes(line(500))).toBe(false);
}

const modelScript = [
  { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", PRINT_1MB] } }] },
  { text: "printed it" },
];

describe("a command that prints 1 MB", () => {
  it("quire exec: the event holds head and tail, the task's outputs/ holds it whole", async () => {
    const model = await scriptedModel(modelScript);
    const home = tempHome();
    const repo = makeRepo(failingTestRepo);
    cleanups.push(() => {
      for (const dir of [home, repo]) rmSync(dir, { recursive: true, force: true });
    });
    const run = await runQuire(["exec", "--json", "-m", "scripted-model", "print a lot"], {
      cwd: repo,
      home,
      env: providerEnv("openai", model.url),
    });
    expect(run.code, run.stderr).toBe(0);
    const item = completedCommand(run.events);
    expectHeadAndTail(item);
    const started = run.events.find((event) => event.type === "thread.started") as { thread_id: string };
    const kept = readFileSync(path.join(home, "tasks", started.thread_id, "outputs", `${item.id}.txt`), "utf8");
    expect(kept === wholeOutput).toBe(true);

    // Without --json, the readable log says where the whole output is.
    const readable = await runQuire(["exec", "-m", "scripted-model", "print a lot"], {
      cwd: repo,
      home,
      env: providerEnv("openai", (await scriptedModel(modelScript)).url),
    });
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.stderr).toMatch(/1000000 bytes printed; whole output in the task's outputs\/item_\d+\.txt/);
  }, 120_000);

  it("quire serve: the event holds head and tail, the API serves and downloads it whole", async () => {
    const model = await scriptedModel(modelScript);
    const home = tempHome();
    const source = makeRepo(failingTestRepo);
    cleanups.push(() => {
      for (const dir of [home, source]) rmSync(dir, { recursive: true, force: true });
    });
    const server = await startServe({
      home,
      env: providerEnv("openai", model.url),
      args: ["-m", "scripted-model", "--workers", "1"],
    });
    cleanups.push(() => server.stop());
    const taskId = await createTaskOnSource(server.url, source, { mode: "ask", prompt: "print a lot" });
    const events = await readTaskEvents(server.url, taskId, { timeoutMs: 120_000 });
    const item = completedCommand(events.map((streamed) => streamed.event as QuireEvent));
    expectHeadAndTail(item);

    const shown = await fetch(`${server.url}/api/tasks/${taskId}/commands/${item.id}/output`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("content-type")).toMatch(/^text\/plain/);
    expect((await shown.text()) === wholeOutput).toBe(true);
    const download = await fetch(`${server.url}/api/tasks/${taskId}/commands/${item.id}/output?download=1`);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.txt"$/);
    expect(Buffer.byteLength(await download.text())).toBe(1_000_000);
    // A command whose event holds all of its output has nothing kept apart.
    const none = await fetch(`${server.url}/api/tasks/${taskId}/commands/item_999/output`);
    expect(none.status).toBe(404);
  }, 180_000);
});

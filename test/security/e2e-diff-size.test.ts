// A task whose diff is tens of MB must not turn into tens of MB of JSON and events: the attempts
// JSON and the task.completed events carry a bounded head with a marker and the full size, and
// the diff route serves it whole. Runs the built `quire serve` (build first).
import { readFileSync, rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Resident and peak resident memory of a process, in MiB (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: Math.round(kib("VmRSS") / 1024), peak: Math.round(kib("VmHWM") / 1024) };
}

const ONE_MIB = 1024 * 1024;

describe("a task's very large diff", () => {
  it("is bounded in events and JSON, and served whole by the diff route", async () => {
    // ~29 MB of base64 text in 100-column lines: a 29 MB diff of one added file.
    const write = "head -c 22000000 /dev/urandom | base64 -w 100 > big.txt && wc -c big.txt";
    const model = await scriptedModel([
      { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", write] } }] },
      { text: "wrote it" },
    ]);
    const home = tempHome();
    const source = makeRepo(failingTestRepo);
    cleanups.push(() => {
      for (const dir of [home, source]) rmSync(dir, { recursive: true, force: true });
    });
    const server: ServeProcess = await startServe({
      home,
      env: providerEnv("openai", model.url),
      args: ["-m", "scripted-model", "--workers", "1"],
    });
    cleanups.push(() => server.stop());
    const before = memoryOf(server.child.pid!);

    const registered = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      { name: "tiny", source },
    );
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: registered.body.repository.id,
      ref: registered.body.repository.defaultBranch,
      mode: "code",
      prompt: "write a big file",
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;

    const events = await readTaskEvents(server.url, taskId, { timeoutMs: 240_000 });
    const finals = events.filter((e) => e.event.type === "task.completed").map((e) => e.event);
    expect(finals.length).toBeGreaterThan(0);
    for (const final of finals) {
      expect(final.status).toBe("completed");
      expect(final.diff_truncated).toBe(true);
      expect(final.diff_bytes).toBeGreaterThan(29_000_000);
      expect(String(final.diff).length).toBeLessThan(ONE_MIB + 1024);
      expect(final.diff).toMatch(/… diff truncated: \d+ bytes in all, \d+ shown; download the whole diff/);
    }

    const attemptsResponse = await fetch(`${server.url}/api/tasks/${taskId}/attempts`);
    const attemptsJson = await attemptsResponse.text();
    expect(attemptsJson.length).toBeLessThan(2 * ONE_MIB);
    const attempt = (JSON.parse(attemptsJson) as { attempts: Record<string, unknown>[] }).attempts[0];
    expect(attempt).toMatchObject({ diffTruncated: true });
    expect(attempt?.diffBytes).toBeGreaterThan(29_000_000);

    const whole = await fetch(`${server.url}/api/tasks/${taskId}/diff`);
    const diff = await whole.text();
    expect(Buffer.byteLength(diff)).toBe(attempt?.diffBytes);
    expect(diff).toContain("+++ b/big.txt");
    expect(diff).not.toContain("diff truncated");

    const after = memoryOf(server.child.pid!);
    // Measured, not bounded yet (see the report): the server still holds the whole diff while
    // it computes, stores and serves it.
    console.log(`quire serve memory (MiB): before rss=${before.rss}; after rss=${after.rss}, peak=${after.peak}`);
  }, 300_000);
});

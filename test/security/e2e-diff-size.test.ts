// A task whose diff is tens of MB must not turn into tens of MB of JSON, events or rows: past the
// inline cap (config.toml `limits.diff_inline_bytes`) the diff is kept as a blob in the database,
// the attempts JSON, the row and the task.completed events carry a bounded head with a marker and
// the full size, and the diff route streams the blob. Runs the built `quire serve` (build first).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { openDatabase } from "../../packages/server/src/storage/index.js";
import { createTaskOnSource, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";

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

/** The inline cap this test configures: half the default, so the setting is what bounds. */
const INLINE_BYTES = 512 * 1024;

describe("a task's very large diff", () => {
  it("is bounded in events and JSON, and served whole by the diff route", async () => {
    // ~29 MB of base64 text in 100-column lines: a 29 MB diff of one added file.
    const write = "head -c 22000000 /dev/urandom | base64 -w 100 > big.txt && wc -c big.txt";
    const model = await scriptedModel([
      { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", write] } }] },
      { text: "wrote it" },
    ]);
    const home = tempHome();
    writeFileSync(path.join(home, "config.toml"), `[limits]\ndiff_inline_bytes = ${INLINE_BYTES}\n`);
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

    const taskId = await createTaskOnSource(server.url, source, { mode: "code", prompt: "write a big file" });

    const events = await readTaskEvents(server.url, taskId, { timeoutMs: 240_000 });
    const finals = events.filter((e) => e.event.type === "task.completed").map((e) => e.event);
    expect(finals.length).toBeGreaterThan(0);
    for (const final of finals) {
      expect(final.status).toBe("completed");
      expect(final.diff_truncated).toBe(true);
      expect(final.diff_bytes).toBeGreaterThan(29_000_000);
      expect(String(final.diff).length).toBeLessThan(INLINE_BYTES + 1024);
      expect(final.diff).toMatch(/… diff truncated: \d+ bytes in all, \d+ shown; download the whole diff/);
    }

    const attemptsResponse = await fetch(`${server.url}/api/tasks/${taskId}/attempts`);
    const attemptsJson = await attemptsResponse.text();
    expect(attemptsJson.length).toBeLessThan(2 * INLINE_BYTES);
    const attempt = (JSON.parse(attemptsJson) as { attempts: Record<string, unknown>[] }).attempts[0];
    expect(attempt).toMatchObject({ diffTruncated: true });
    expect(attempt?.diffBytes).toBeGreaterThan(29_000_000);

    expect(attempt).not.toHaveProperty("diffBlob");

    // The whole diff is one blob in the database (stored once), and nothing of it is a file of the home.
    const database = openDatabase({ home });
    const blobs = await database.db.selectFrom("blobs").select("bytes").execute();
    await database.close();
    expect(blobs.map((blob) => Number(blob.bytes))).toEqual([attempt?.diffBytes]);
    expect(existsSync(path.join(home, "blobs"))).toBe(false);

    const finished = memoryOf(server.child.pid!);
    // Served three times, streamed a chunk at a time: answering does not hold the diff.
    for (let round = 0; round < 3; round += 1) {
      const whole = await fetch(`${server.url}/api/tasks/${taskId}/diff`);
      expect(whole.headers.get("content-length")).toBe(String(attempt?.diffBytes));
      const diff = await whole.text();
      expect(Buffer.byteLength(diff)).toBe(attempt?.diffBytes);
      expect(diff).toContain("+++ b/big.txt");
      expect(diff).not.toContain("diff truncated");
    }
    // Paged with Range, 8 MiB at a time (from the chunk holding each page's first byte): the same bytes.
    const pageBytes = 8 * 1024 * 1024;
    let pagedBytes = 0;
    let lastPage = "";
    const diffBytes = Number(attempt?.diffBytes);
    for (let start = 0; start < diffBytes; start += pageBytes) {
      const page = await fetch(`${server.url}/api/tasks/${taskId}/diff`, {
        headers: { range: `bytes=${start}-${start + pageBytes - 1}` },
      });
      expect(page.status).toBe(206);
      const body = Buffer.from(await page.arrayBuffer());
      expect(page.headers.get("content-range")).toBe(`bytes ${start}-${start + body.length - 1}/${diffBytes}`);
      pagedBytes += body.length;
      lastPage = body.toString("latin1");
    }
    expect(pagedBytes).toBe(diffBytes);
    expect(lastPage.endsWith("\n")).toBe(true);
    const served = memoryOf(server.child.pid!);
    console.log(
      `quire serve memory (MiB): before rss=${before.rss}; task done rss=${finished.rss}; ` +
        `after serving the diff 3 times rss=${served.rss}, peak=${served.peak}`,
    );
    // Serving streams: at most a few MiB of buffers, not 3 × 29 MB of strings and bodies.
    expect(served.rss - finished.rss).toBeLessThan(32);
    // Computing it still holds the diff a few times over in the worker (core's workspaceDiff,
    // redaction, verification): bounded here at what was measured plus headroom (docs/server.md).
    expect(served.peak - before.rss).toBeLessThan(240);
  }, 300_000);
});

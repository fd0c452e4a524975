// A hostile model's patches that try to stall the host: apply_patch runs in Quire's own process
// (not in the sandbox), so a patch that is slow to match or a FIFO that never answers must not
// hold the event loop that serves every other task, and cancel must stop it.
// The patch runs in a worker thread built from the sources: build first (`npm run build`).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPatchInWorker, idlePatchWorkers } from "../../packages/core/src/patch/apply-in-worker.js";
import { applyPatchTool } from "../../packages/core/src/tools/apply-patch.js";
import { type HostLayout, makeHostLayout, sleep, toolContext } from "./attack-helpers.js";

let host: HostLayout;
beforeEach(() => {
  host = makeHostLayout();
});
afterEach(() => host.cleanup());

/** The longest the event loop was held while `work` ran, in ms. */
async function maxEventLoopDelayDuring<T>(work: () => Promise<T>): Promise<{ result: T; maxDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const result = await work();
    // The histogram's timer records a stall only when it next fires, after the work is over.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { result, maxDelayMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

/** Fails when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still running after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A patch that is slow because it is big: many files to add. */
const MANY = 20_000;
const manyAdds = (): string =>
  `*** Begin Patch\n${Array.from({ length: MANY }, (_, i) => `*** Add File: many/f${i}.txt\n+${i}`).join("\n")}\n*** End Patch`;

/** How many entries a workspace directory holds (0 when it does not exist yet). */
const filesIn = (dir: string): number => {
  const full = path.join(host.workspace, dir);
  return existsSync(full) ? readdirSync(full).length : 0;
};

describe("apply_patch cannot stall the host", () => {
  it("matches a 60 KB patch against a 40,000-line file without holding the event loop", async () => {
    // Every line alike and a last line that is nowhere: a naive matcher tries every position
    // with ~20,000 comparisons each, four times over (one per tolerance pass).
    writeFileSync(path.join(host.workspace, "big.txt"), "x\n".repeat(40_000));
    const chunk = [...Array.from({ length: 20_000 }, () => " x"), "-not in the file", "+y"].join("\n");
    const input = `*** Begin Patch\n*** Update File: big.txt\n@@\n${chunk}\n*** End Patch`;
    expect(input.length).toBeGreaterThan(60_000);
    const { context } = toolContext(host);
    const started = Date.now();
    const { result, maxDelayMs } = await maxEventLoopDelayDuring(() => applyPatchTool.run({ input }, context));
    expect(result.output).toMatch(/^apply_patch failed: Failed to find expected lines in big.txt/);
    expect(maxDelayMs).toBeLessThan(200);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(readFileSync(path.join(host.workspace, "big.txt"), "utf8")).toBe("x\n".repeat(40_000));
  }, 120_000);

  it("refuses a FIFO (or anything but a regular file) promptly, to read or to write", async () => {
    execFileSync("mkfifo", [path.join(host.workspace, "pipe")]);
    execFileSync("mkfifo", [path.join(host.workspace, "drain")]);
    const { context } = toolContext(host);
    const update = "*** Begin Patch\n*** Update File: pipe\n@@\n-a\n+b\n*** End Patch";
    const read = await within(applyPatchTool.run({ input: update }, context), 5_000, "an update of a FIFO");
    expect(read.output).toMatch(/^apply_patch failed: .*pipe.*not a regular file/);
    const add = "*** Begin Patch\n*** Add File: drain\n+data\n*** End Patch";
    const written = await within(applyPatchTool.run({ input: add }, context), 5_000, "an add over a FIFO");
    expect(written.output).toMatch(/^apply_patch failed: .*drain.*not a regular file/);
  });

  it("stops a slow patch at its time budget, says so, and reports what was done before", async () => {
    const error = await applyPatchInWorker(host.workspace, manyAdds(), { timeoutMs: 1_000 }).then(
      () => null,
      (caught: unknown) => caught as Error & { details?: { applied: unknown[] } },
    );
    expect(error?.message).toMatch(/took longer than 1 s and was stopped/);
    const written = filesIn("many");
    expect(written).toBeLessThan(MANY);
    // Reported: each file the patch wrote before the stop (the one being written may be missing).
    expect(error?.details?.applied.length).toBeGreaterThanOrEqual(Math.max(0, written - 1));
    await sleep(300);
    expect(filesIn("many")).toBe(written);
  }, 60_000);

  it("keeps a worker for the next patch only when its patch ended, never one that was stopped", async () => {
    const add = (name: string) => `*** Begin Patch\n*** Add File: ${name}\n+${name}\n*** End Patch`;
    await applyPatchInWorker(host.workspace, add("a.txt"));
    const kept = idlePatchWorkers();
    expect(kept).toBeGreaterThanOrEqual(1);
    // A patch that fails to apply still ended as its worker said: the worker is kept.
    const mismatched = "*** Begin Patch\n*** Update File: a.txt\n@@\n-not in the file\n+x\n*** End Patch";
    await expect(applyPatchInWorker(host.workspace, mismatched)).rejects.toThrow(/a\.txt/);
    expect(idlePatchWorkers()).toBe(kept);
    // Stopped at its budget: the kept worker it took is ended, and writes nothing more.
    await applyPatchInWorker(host.workspace, manyAdds(), { timeoutMs: 1_000 }).catch(() => undefined);
    expect(idlePatchWorkers()).toBe(kept - 1);
    const written = filesIn("many");
    await sleep(300);
    expect(filesIn("many")).toBe(written);
    // Three at once: each its own worker; at most two are kept afterwards.
    await Promise.all(["b.txt", "c.txt", "d.txt"].map((name) => applyPatchInWorker(host.workspace, add(name))));
    expect(idlePatchWorkers()).toBe(2);
    for (const name of ["a.txt", "b.txt", "c.txt", "d.txt"])
      expect(readFileSync(path.join(host.workspace, name), "utf8")).toBe(`${name}\n`);
  }, 60_000);

  it("ends a slow patch when the task is cancelled", async () => {
    const controller = new AbortController();
    const { context } = toolContext(host);
    const running = applyPatchTool.run({ input: manyAdds() }, { ...context, signal: controller.signal });
    // Cancel once it is writing files.
    for (let waited = 0; filesIn("many") === 0 && waited < 30_000; waited += 20) await sleep(20);
    expect(filesIn("many")).toBeGreaterThan(0);
    controller.abort();
    const result = await within(running, 2_000, "a cancelled patch");
    expect(result.output).toMatch(/^apply_patch failed: cancelled/);
    const atCancel = filesIn("many");
    expect(atCancel).toBeLessThan(MANY);
    await sleep(300);
    expect(filesIn("many")).toBe(atCancel);
  }, 60_000);
});

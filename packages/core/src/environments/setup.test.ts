import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ThreadItem } from "../events.js";
import { createSandbox } from "../sandbox/index.js";
import { omittedMarker } from "../sandbox/output-buffer.js";
import type { Sandbox } from "../sandbox/types.js";
import { createRedactor } from "./redact.js";
import { runEnvironmentScript, SetupFailedError } from "./setup.js";

let workspace: string;
beforeEach(() => {
  workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-setup-")));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

interface Emitted {
  phase: "started" | "updated" | "completed";
  item: ThreadItem;
}

function run(script: string, options: { sandbox?: Sandbox; maxOutputBytes?: number } = {}) {
  const emitted: Emitted[] = [];
  let next = 1;
  const sandbox = options.sandbox ?? createSandbox("bwrap", { workspace, writable: true, network: false });
  const done = runEnvironmentScript({
    phase: "setup",
    script,
    sandbox,
    cwd: workspace,
    env: { TOKEN: "s3cr3t-value" },
    timeoutMs: 20_000,
    maxOutputBytes: options.maxOutputBytes ?? 10_000,
    signal: new AbortController().signal,
    itemId: "item_0",
    nextItemId: () => `item_${next++}`,
    emitItem: (phase, item) => emitted.push({ phase, item }),
    redact: createRedactor({ TOKEN: "s3cr3t-value" }),
  });
  return { done, emitted };
}

describe("runEnvironmentScript", () => {
  it("streams the script as a command item, with its secrets redacted", async () => {
    const { done, emitted } = run('echo "token is $TOKEN"');
    await done;
    expect(emitted[0]).toMatchObject({ phase: "started", item: { id: "item_0", status: "in_progress" } });
    expect(emitted.at(-1)).toMatchObject({
      phase: "completed",
      item: { id: "item_0", command: "setup script", aggregated_output: "token is [REDACTED:TOKEN]\n", exit_code: 0 },
    });
  });

  it("ends its item as failed, with the reason, when the sandbox itself fails", async () => {
    const real = createSandbox("bwrap", { workspace, writable: true, network: false });
    const broken: Sandbox = { ...real, exec: () => Promise.reject(new Error("bwrap vanished")) };
    const { done, emitted } = run("true", { sandbox: broken });
    await expect(done).rejects.toThrow("bwrap vanished");
    expect(emitted.at(-1)).toEqual({
      phase: "completed",
      item: expect.objectContaining({ id: "item_0", status: "failed", exit_code: null }),
    });
    const last = emitted.at(-1)?.item;
    expect(last?.type === "command_execution" ? last.aggregated_output : "").toContain("bwrap vanished");
  });

  it("keeps the start and the end of a long output, live and at the end, with the count of what is left out", async () => {
    // Slow enough for several updates; the first line must stay visible while the output grows.
    const script =
      'echo FIRST; for i in $(seq 1 30); do head -c 2000 /dev/zero | tr "\\0" x; echo; sleep 0.03; done; echo LAST';
    const { done, emitted } = run(script, { maxOutputBytes: 1000 });
    await done;
    const outputs = emitted.flatMap((e) =>
      e.item.type === "command_execution" && e.phase !== "started" ? [e.item.aggregated_output] : [],
    );
    expect(outputs.length).toBeGreaterThan(2);
    for (const output of outputs) {
      expect(output.startsWith("FIRST\n")).toBe(true);
      expect(Buffer.byteLength(output)).toBeLessThanOrEqual(1000 + Buffer.byteLength(omittedMarker(10_000_000)));
    }
    const final = outputs.at(-1) ?? "";
    expect(final.endsWith("LAST\n")).toBe(true);
    const total = 6 + 30 * 2001 + 5;
    expect(final).toContain(omittedMarker(total - 1000));
  });

  it("fails with the exit code and what the script printed last", async () => {
    const { done, emitted } = run("echo about to fail; exit 3");
    const error = await done.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SetupFailedError);
    expect((error as Error).message).toBe("setup script failed (exit 3):\nabout to fail");
    expect(emitted.at(-1)?.item).toMatchObject({ status: "failed", exit_code: 3 });
  });

  it("says which limit stopped the script, in its error and as an error item", async () => {
    const limited = createSandbox("bwrap", { workspace, writable: true, network: false, limits: { cpuSeconds: 1 } });
    const { done, emitted } = run("while :; do :; done", { sandbox: limited });
    const error = await done.catch((caught: unknown) => caught);
    const line = "limit hit: CPU time (1 s per process); the process was killed";
    expect((error as Error).message).toContain(line);
    expect(emitted.at(-1)).toEqual({ phase: "completed", item: { id: "item_1", type: "error", message: line } });
  });
});

import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ThreadItem } from "../events.js";
import { createSandbox } from "../sandbox/index.js";
import { omittedMarker } from "../sandbox/output-buffer.js";
import type { ExecRequest, Sandbox } from "../sandbox/types.js";
import { shellTool } from "./shell.js";
import type { TaskMode, ToolContext } from "./types.js";

let workspace: string;
beforeEach(() => {
  workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-shell-")));
  mkdirSync(path.join(workspace, "sub"));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

interface Emitted {
  phase: "started" | "updated" | "completed";
  item: ThreadItem;
}

interface Setup {
  mode?: TaskMode;
  cwd?: string;
  signal?: AbortSignal;
  limits?: Partial<ToolContext["limits"]>;
  /** Replaces the real bwrap sandbox's exec. */
  exec?: Sandbox["exec"];
  keepOutput?: ToolContext["keepOutput"];
}

function setup(options: Setup = {}) {
  const mode = options.mode ?? "code";
  const real = createSandbox("bwrap", { workspace, writable: mode === "code", network: false });
  const requests: ExecRequest[] = [];
  const sandbox: Sandbox = {
    ...real,
    exec: (request) => {
      requests.push(request);
      return (options.exec ?? real.exec)(request);
    },
  };
  const emitted: Emitted[] = [];
  let next = 0;
  const context: ToolContext = {
    mode,
    workspace,
    cwd: options.cwd,
    sandbox,
    signal: options.signal ?? new AbortController().signal,
    limits: { defaultTimeoutMs: 10_000, maxTimeoutMs: 20_000, maxOutputBytes: 10_000, ...options.limits },
    ...(options.keepOutput ? { keepOutput: options.keepOutput } : {}),
    nextItemId: () => `item_${next++}`,
    emitItem: (phase, item) => emitted.push({ phase, item }),
  };
  return { context, emitted, requests };
}

const bash = (script: string) => ["bash", "-lc", script];
const modelOutput = (exitCode: string, output: string) =>
  new RegExp(`^Exit code: ${exitCode}\\nWall time: \\d+\\.\\d seconds\\nOutput:\\n${output}$`);

describe("shell tool", () => {
  it("has Codex's name and argv schema, and a short description", () => {
    expect(shellTool.name).toBe("shell");
    expect(shellTool.description.length).toBeLessThan(600);
    const parse = (args: unknown) => shellTool.schema.safeParse(args).success;
    expect(parse({ command: ["ls"], workdir: "src", timeout_ms: 1000 })).toBe(true);
    expect(parse({ command: [] })).toBe(false);
    expect(parse({ command: "ls -la" })).toBe(false);
    expect(parse({ command: ["ls"], timeout_ms: 1.5 })).toBe(false);
    expect(parse({ command: ["ls"], timeout_ms: 0 })).toBe(false);
  });

  it("runs the command and emits Codex's command_execution items", async () => {
    const { context, emitted } = setup();
    const result = await shellTool.run({ command: bash("echo hello") }, context);
    expect(result.output).toMatch(modelOutput("0", "hello\\n"));
    expect(emitted.map((event) => event.phase)).toEqual(["started", "completed"]);
    expect(emitted[0]!.item).toEqual({
      id: "item_0",
      type: "command_execution",
      command: "bash -lc 'echo hello'",
      aggregated_output: "",
      exit_code: null,
      status: "in_progress",
    });
    expect(emitted[1]!.item).toEqual({
      id: "item_0",
      type: "command_execution",
      command: "bash -lc 'echo hello'",
      aggregated_output: "hello\n",
      exit_code: 0,
      status: "completed",
      duration_ms: expect.any(Number),
    });
  });

  it("reports a failing command as failed with its exit code", async () => {
    const { context, emitted } = setup();
    const result = await shellTool.run({ command: bash("echo nope >&2; exit 3") }, context);
    expect(result.output).toMatch(modelOutput("3", "nope\\n"));
    expect(emitted.at(-1)!.item).toMatchObject({ exit_code: 3, status: "failed", aggregated_output: "nope\n" });
  });

  it("runs in workdir, relative to the context's working directory", async () => {
    // The sandbox shows the workspace at its neutral path; an absolute workdir there is the same place.
    const { context } = setup();
    expect((await shellTool.run({ command: ["pwd"], workdir: "sub" }, context)).output).toContain("\n/workspace/sub\n");
    expect((await shellTool.run({ command: ["pwd"], workdir: "/workspace/sub" }, context)).output).toContain(
      "\n/workspace/sub\n",
    );
    const inSub = setup({ cwd: path.join(workspace, "sub") });
    expect((await shellTool.run({ command: ["pwd"] }, inSub.context)).output).toContain("\n/workspace/sub\n");
  });

  it("refuses a workdir outside the workspace without running anything", async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), "quire-outside-"));
    symlinkSync(outside, path.join(workspace, "link"));
    try {
      for (const workdir of ["../", "/etc", "link", "missing"]) {
        const { context, emitted, requests } = setup();
        const result = await shellTool.run({ command: ["touch", "ran"], workdir }, context);
        expect(result.output).toMatch(/^workdir refused: /);
        expect(requests).toEqual([]);
        expect(emitted).toEqual([]);
      }
      expect(existsSync(path.join(outside, "ran"))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("uses the default timeout and clamps a requested one to the maximum", async () => {
    const limits = { defaultTimeoutMs: 5000, maxTimeoutMs: 300 };
    const { context, requests } = setup({ limits });
    await shellTool.run({ command: ["true"] }, context);
    await shellTool.run({ command: ["true"], timeout_ms: 100 }, context);
    expect(requests.map((request) => request.timeoutMs)).toEqual([300, 100]);

    const { context: slow, emitted } = setup({ limits: { defaultTimeoutMs: 200 } });
    const result = await shellTool.run({ command: bash("echo started; sleep 10") }, slow);
    expect(result.output).toMatch(
      /^Exit code: none \(killed\)\nWall time: \d+\.\d seconds\ncommand timed out after 200 ms and was killed\nOutput:\nstarted\n$/,
    );
    expect(emitted.at(-1)!.item).toMatchObject({ exit_code: null, status: "failed", aggregated_output: "started\n" });
  });

  it("says when the command was cancelled", async () => {
    const controller = new AbortController();
    const { context } = setup({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const result = await shellTool.run({ command: ["sleep", "10"] }, context);
    expect(result.output).toContain("\ncommand was cancelled and killed\n");
  });

  it("gives the model a smaller head+tail view than the event stream, with an exact count", async () => {
    const { context, emitted } = setup({ limits: { maxOutputBytes: 100 } });
    const result = await shellTool.run(
      { command: bash("printf 'a%.0s' {1..5000}; printf 'z%.0s' {1..5000}") },
      context,
    );
    expect(result.output).toMatch(modelOutput("0", `${"a".repeat(50)}${omittedMarker(9900)}${"z".repeat(50)}`));
    const completed = emitted.at(-1)!.item;
    expect(completed.type === "command_execution" && completed.aggregated_output).toBe(
      `${"a".repeat(5000)}${"z".repeat(5000)}`,
    );
  });

  it("keeps the whole output of a command whose event copy is cut, before completing the item", async () => {
    const kept = new Map<string, string>();
    const completedWhenSaved: number[] = [];
    const { context, emitted } = setup({
      keepOutput: {
        maxBytes: 1024 * 1024,
        save: async (itemId, output) => {
          completedWhenSaved.push(emitted.filter((event) => event.phase === "completed").length);
          kept.set(itemId, output);
        },
      },
    });
    // 1,000,000 bytes: 1000 numbered lines of 1000 bytes each.
    const script = 'for i in $(seq 1 1000); do printf "%0999d\\n" "$i"; done';
    await shellTool.run({ command: bash(script) }, context);
    const item = emitted.at(-1)!.item as Extract<ThreadItem, { type: "command_execution" }>;
    expect(item).toMatchObject({ output_truncated: true, output_bytes: 1_000_000 });
    expect(Buffer.byteLength(item.aggregated_output)).toBeLessThan(256 * 1024 + 100);
    const line = (n: number) => `${String(n).padStart(999, "0")}\n`;
    expect(item.aggregated_output.startsWith(line(1))).toBe(true);
    expect(item.aggregated_output.endsWith(line(1000))).toBe(true);
    expect(item.aggregated_output.includes(line(500))).toBe(false);
    expect(item.aggregated_output.includes("bytes omitted")).toBe(true);
    const whole = kept.get(item.id)!;
    expect(whole.length).toBe(1_000_000);
    expect(whole.includes(line(500))).toBe(true);
    expect(completedWhenSaved).toEqual([0]);
  });

  it("still completes the command's item when keeping its whole output fails", async () => {
    const keepOutput = {
      maxBytes: 1024 * 1024,
      save: () => Promise.reject(new Error("ENOSPC: no space left on device")),
    };
    const { context, emitted } = setup({ keepOutput });
    await shellTool.run({ command: bash("head -c 400000 /dev/zero | tr '\\0' x") }, context);
    const item = emitted.find((event) => event.phase === "completed")!.item;
    expect(item).toMatchObject({ type: "command_execution", status: "completed", exit_code: 0 });
    expect(item).not.toHaveProperty("output_truncated");
    expect(emitted.at(-1)!.item).toMatchObject({
      type: "error",
      message: expect.stringMatching(/whole output of this command could not be kept.*ENOSPC/),
    });
  });

  it("keeps nothing apart when the event holds the whole output", async () => {
    const saved: string[] = [];
    const keepOutput = { maxBytes: 1024 * 1024, save: async (itemId: string) => void saved.push(itemId) };
    const { context, emitted } = setup({ keepOutput });
    await shellTool.run({ command: bash("echo small") }, context);
    expect(saved).toEqual([]);
    expect(emitted.at(-1)!.item).not.toHaveProperty("output_truncated");
  });

  it("streams growing output in item.updated events, at most every 250 ms", async () => {
    const { context, emitted } = setup();
    await shellTool.run({ command: bash("for i in 1 2 3 4 5 6; do echo $i; sleep 0.15; done") }, context);
    const updates = emitted.filter((event) => event.phase === "updated").map((event) => event.item);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(4);
    for (const update of updates) {
      expect(update).toMatchObject({ id: "item_0", status: "in_progress", exit_code: null });
      expect(update.type === "command_execution" && "1\n2\n3\n4\n5\n6\n".startsWith(update.aggregated_output)).toBe(
        true,
      );
    }
  });

  it("runs read-only in ask mode", async () => {
    const { context } = setup({ mode: "ask" });
    const result = await shellTool.run({ command: ["touch", "created"] }, context);
    expect(result.output).toMatch(/^Exit code: [1-9]/);
    expect(existsSync(path.join(workspace, "created"))).toBe(false);
  });

  it("tells the model and the user which limit stopped the command", async () => {
    const limited = createSandbox("bwrap", { workspace, writable: true, network: false, limits: { cpuSeconds: 1 } });
    const { context, emitted } = setup({ exec: (request) => limited.exec(request) });
    const result = await shellTool.run({ command: bash("while :; do :; done") }, context);
    const line = "limit hit: CPU time (1 s per process); the process was killed";
    expect(result.output).toMatch(
      new RegExp(`^Exit code: 152\\nWall time: .*\\n${line.replace(/[()]/g, "\\$&")}\\nOutput:\\n$`),
    );
    expect(emitted.at(-1)).toEqual({ phase: "completed", item: { id: "item_1", type: "error", message: line } });
  });

  it("closes the item when the sandbox itself fails", async () => {
    const { context, emitted } = setup({ exec: () => Promise.reject(new Error("bwrap vanished")) });
    await expect(shellTool.run({ command: ["true"] }, context)).rejects.toThrow("bwrap vanished");
    expect(emitted.at(-1)).toMatchObject({ phase: "completed", item: { status: "failed", exit_code: null } });
  });
});

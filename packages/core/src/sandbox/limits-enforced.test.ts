import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBwrapSandbox } from "./bwrap.js";
import { cgroupHost } from "./limits-cgroup.js";
import type { SandboxResourceLimits } from "./limits.js";
import { createNoneSandbox } from "./none.js";
import type { ExecRequest, Sandbox } from "./types.js";

const MIB = 1024 * 1024;

let workspace: string;
beforeEach(() => {
  workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-limits-")));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

function sandbox(backend: "bwrap" | "none", limits?: Partial<SandboxResourceLimits>): Sandbox {
  const policy = { workspace, writable: true, network: false, ...(limits ? { limits } : {}) };
  return backend === "bwrap" ? createBwrapSandbox(policy) : createNoneSandbox(policy);
}

function run(box: Sandbox, script: string, request: Partial<ExecRequest> = {}) {
  return box.exec({
    argv: ["bash", "-c", script],
    cwd: workspace,
    timeoutMs: 10_000,
    maxOutputBytes: 8192,
    ...request,
  });
}

/** Running (not zombie) processes with `token` in their command line: what a command left behind. */
function processesWith(token: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/\) [ZX] /.test(readFileSync(`/proc/${entry}/stat`, "utf8"))) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(token)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The soft limits in /proc/self/limits, by row ("Max cpu time" -> "600"). */
function softLimits(text: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)/.exec(line);
    if (match) rows[match[1]!] = match[2]!;
  }
  return rows;
}

/** A 30 s sleep whose command line is `mark 30`, so processesWith(mark) finds it. */
const sleeper = (mark: string) => `bash -c 'exec -a ${mark} sleep 30'`;
const token = () => `quire-limit-${process.pid}-${Math.random().toString(36).slice(2)}`;
// Without a cgroup, root is exempt from RLIMIT_NPROC: a real fork bomb would reach the host's pid limit.
const processesContained = cgroupHost() !== null || process.getuid?.() !== 0;
const python = ["/usr/bin/python3", "/bin/python3"].some((file) => existsSync(file));

describe("limits in the bwrap sandbox", () => {
  it("applies the defaults when the policy gives none", async () => {
    const result = await run(sandbox("bwrap"), "cat /proc/self/limits");
    expect(softLimits(result.output)).toMatchObject({
      "Max processes": "512",
      "Max data size": String(4 * 1024 * MIB),
      "Max cpu time": "600",
      "Max file size": String(1024 * MIB),
      "Max core file size": "0",
    });
  });

  it.skipIf(!processesContained)("contains a fork bomb: the host stays responsive, nothing is left", async () => {
    const mark = token();
    const box = sandbox("bwrap", { processes: 64 });
    // The first shell stays until the timeout, so the bomb has the time to reach the limit.
    const bomb = run(box, `: ${mark}; bomb() { bomb | bomb & }; bomb; sleep 5`, { timeoutMs: 3000 });
    await sleep(300);
    const started = performance.now();
    expect(spawnSync("true").status).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
    const result = await bomb;
    expect(result.durationMs).toBeLessThan(6000);
    expect(result.limitHit).toBe("processes");
    expect(result.limitMessage).toBe("limit hit: processes (64 at once); further forks failed");
    expect(processesWith(mark)).toEqual([]);
  });

  it.skipIf(!python)("stops a memory bomb", async () => {
    const box = sandbox("bwrap", { memoryBytes: 256 * MIB });
    const result = await run(box, "python3 -c 'block = bytearray(2 * 1024 ** 3); print(\"allocated\")'");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).not.toContain("allocated");
    expect(result.limitHit).toBe("memory");
    expect(result.limitMessage).toContain("memory (256 MiB)");
  });

  it("kills a busy loop at its CPU time with SIGXCPU", async () => {
    const result = await run(sandbox("bwrap", { cpuSeconds: 1 }), "while :; do :; done");
    expect(result.exitCode).toBe(128 + os.constants.signals.SIGXCPU);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(5000);
    expect(result.limitHit).toBe("cpu");
    expect(result.limitMessage).toBe("limit hit: CPU time (1 s per process); the process was killed");
  });

  it("cuts a file off at the file size limit", async () => {
    const result = await run(sandbox("bwrap", { fileSizeBytes: MIB }), "head -c 20M /dev/zero > big");
    expect(result.exitCode).toBe(128 + os.constants.signals.SIGXFSZ);
    expect(result.limitHit).toBe("file_size");
    expect(statSync(path.join(workspace, "big")).size).toBeLessThanOrEqual(MIB);
  });

  it("reports the workspace growing past the disk limit, measured from the first command, and refuses more", async () => {
    const box = sandbox("bwrap", { diskBytes: 2 * MIB });
    expect((await run(box, "head -c 1500K /dev/urandom > a")).limitHit).toBeUndefined();
    expect(box.exhausted?.()).toBeNull();
    const over = await run(box, "head -c 1500K /dev/urandom > b");
    expect(over.limitHit).toBe("disk");
    // Stopped mid-write, just past the limit: the growth reads "2 MiB" or a little more.
    expect(over.limitMessage).toMatch(
      /^disk limit exceeded: the workspace grew by (2(\.\d)?) MiB, past the 2 MiB allowed; the command was stopped$/,
    );
    const refused = await run(box, "rm a");
    expect(refused).toMatchObject({ exitCode: null, limitHit: "disk" });
    expect(refused.limitMessage).toMatch(/no further command runs in this task/);
    expect(existsSync(path.join(workspace, "a"))).toBe(true);
  });

  it("kills runaway output past the hard cap, keeping only head and tail in memory", async () => {
    const before = process.memoryUsage().rss;
    const capped = await run(sandbox("bwrap"), "yes", { maxTotalOutputBytes: 8 * MIB });
    expect(capped).toMatchObject({ exitCode: null, timedOut: false, limitHit: "output" });
    expect(capped.limitMessage).toBe("limit hit: output (more than 8 MiB written); the command was killed");
    expect(capped.output.length).toBeLessThan(8192 + 100);
    // With no cap in reach, `yes` runs into its timeout; the test process does not grow with it.
    const timed = await run(sandbox("bwrap"), "yes", { timeoutMs: 2000, maxTotalOutputBytes: Number.MAX_SAFE_INTEGER });
    expect(timed).toMatchObject({ exitCode: null, timedOut: true, limitHit: "timeout" });
    expect(timed.output.length).toBeLessThan(8192 + 100);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MIB);
  });

  it("leaves no process behind on timeout, even one in a new session", async () => {
    const mark = token();
    const result = await run(sandbox("bwrap"), `setsid ${sleeper(mark)} & ${sleeper(mark)}`, { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(processesWith(mark)).toEqual([]);
  });
});

describe("limits in the none sandbox", () => {
  it("applies the same rlimits through prlimit, except processes", async () => {
    const result = await run(sandbox("none", { cpuSeconds: 7, fileSizeBytes: 3 * MIB }), "cat /proc/self/limits");
    const limits = softLimits(result.output);
    expect(limits).toMatchObject({ "Max cpu time": "7", "Max file size": String(3 * MIB) });
    expect(limits["Max data size"]).toBe(String(4 * 1024 * MIB));
    expect(limits["Max processes"]).not.toBe("512");
  });

  it("kills a busy loop at its CPU time and cuts off a large file", async () => {
    const box = sandbox("none", { cpuSeconds: 1, fileSizeBytes: MIB });
    expect((await run(box, "while :; do :; done")).limitHit).toBe("cpu");
    expect((await run(box, "head -c 5M /dev/zero > big")).limitHit).toBe("file_size");
    expect(statSync(path.join(workspace, "big")).size).toBeLessThanOrEqual(MIB);
  });

  it.skipIf(cgroupHost() === null)("with a cgroup, kills even what left the process group", async () => {
    const mark = token();
    const result = await run(sandbox("none"), `setsid ${sleeper(mark)} > /dev/null 2>&1 & echo started`);
    expect(result.output).toBe("started\n");
    expect(processesWith(mark)).toEqual([]);
  });
});

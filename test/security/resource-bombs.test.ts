// A hostile model's resource bombs, contained by the sandbox policy's limits (not by ulimits
// the command sets on itself). Each bomb is bounded on purpose (a few hundred processes, a few
// hundred MiB), so that even where a limit does not hold, this machine is not taken down.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cgroupHost } from "../../packages/core/src/sandbox/limits-cgroup.js";
import { type HostLayout, makeHostLayout, processesWith, sandboxFor, sh, sleep, treeOf } from "./attack-helpers.js";

const MIB = 1024 * 1024;

let host: HostLayout;
beforeEach(() => {
  host = makeHostLayout();
});
afterEach(() => host.cleanup());

// HOLE (when Quire runs as root without a usable cgroup): RLIMIT_NPROC does not apply to the
// host's uid 0, which the sandbox user maps to, so the process limit is not enforced at all.
const processesContained = cgroupHost() !== null || process.getuid?.() !== 0;

describe("resource bombs", () => {
  (processesContained ? it : it.fails)("a fork flood stops at the process limit and leaves nothing", async () => {
    const mark = `500.${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
    const limit = 32;
    const bomb = sh(
      sandboxFor(host, { limits: { processes: limit } }),
      `for i in $(seq 300); do sleep ${mark} & done; wait`,
      {
        timeoutMs: 3000,
      },
    );
    let most = 0;
    for (let i = 0; i < 40; i++) {
      await sleep(50);
      most = Math.max(most, processesWith(mark).length);
    }
    const started = performance.now();
    expect(spawnSync("true").status).toBe(0); // the host can still start processes
    expect(performance.now() - started).toBeLessThan(1000);
    const result = await bomb;
    expect(most).toBeGreaterThan(0); // the scan does see them
    expect(most).toBeLessThanOrEqual(limit);
    expect(result.output).toMatch(/fork|Resource temporarily unavailable/);
    expect(processesWith(mark)).toEqual([]);
  });

  // The classic bomb: every process forks two more, forever. Every process it makes on the
  // host (not only those the scan above can name) must stay within the bound.
  (processesContained ? it : it.fails)("a real fork bomb's processes on the host stay within the bound", async () => {
    const limit = 48;
    const bomb = sh(sandboxFor(host, { limits: { processes: limit } }), "bomb() { bomb | bomb & }; bomb; sleep 3", {
      timeoutMs: 3000,
    });
    let most = 0;
    for (let i = 0; i < 40; i++) {
      await sleep(50);
      most = Math.max(most, descendantsOf(process.pid));
    }
    const result = await bomb;
    expect(result.timedOut).toBe(true);
    expect(most).toBeGreaterThan(limit / 2); // the control: the bomb did go off
    // bwrap, its init, prlimit and the cgroup's shell come on top of the command's own.
    expect(most).toBeLessThanOrEqual(limit + 4);
    expect(descendantsOf(process.pid)).toBe(0);
  });

  it("a memory bomb fails at the memory limit", async () => {
    const sandbox = sandboxFor(host, { limits: { memoryBytes: 128 * MIB } });
    const result = await sh(
      sandbox,
      "python3 -c 'blocks = [bytearray(32 * 1024 ** 2) for _ in range(24)]; print(\"allocated\", len(blocks))'",
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.output).not.toContain("allocated");
    expect(result.limitHit).toBe("memory");
  });

  it("a disk fill in the workspace is cut at the file size limit and reported at the disk limit", async () => {
    const sandbox = sandboxFor(host, { limits: { fileSizeBytes: 4 * MIB, diskBytes: 12 * MIB } });
    const big = await sh(sandbox, "head -c 64M /dev/zero > big");
    expect(big.exitCode).not.toBe(0);
    expect(statSync(path.join(host.workspace, "big")).size).toBeLessThanOrEqual(4 * MIB);
    const many = await sh(sandbox, "for i in 1 2 3 4 5; do head -c 3M /dev/zero > part$i; done; echo written");
    expect(many.limitHit).toBe("disk");
    expect(many.limitMessage).toMatch(/disk limit exceeded/);
    expect(treeOf(host.outside)).toEqual({ "secret.txt": `${host.secret}\n` });
  });

  // Before: the budget was only measured after the command, which went on writing as long as it
  // liked, and the task went on too. Now the command is stopped while it writes, and the task's
  // budget is spent: no later command runs.
  it("a command that keeps writing past the disk budget is stopped, and no later command runs", async () => {
    const sandbox = sandboxFor(host, { limits: { fileSizeBytes: 2 * MIB, diskBytes: 16 * MIB } });
    const started = performance.now();
    const result = await sh(sandbox, "i=0; while :; do i=$((i+1)); head -c 1M /dev/zero > fill$i; sleep 0.01; done", {
      timeoutMs: 20_000,
    });
    expect(performance.now() - started).toBeLessThan(10_000); // stopped, not run to its timeout
    expect(result.timedOut).toBe(false);
    expect(result.cancelled).toBe(false);
    expect(result.limitHit).toBe("disk");
    expect(result.limitMessage).toMatch(/disk limit exceeded: the workspace grew by .* past the 16 MiB allowed/);
    const kept = spawnSync("du", ["-sm", host.workspace], { encoding: "utf8" }).stdout;
    expect(Number(kept.split("\t")[0])).toBeLessThanOrEqual(16 + 8); // the budget plus what one look lets through
    const after = await sh(sandbox, "echo still running > after.txt");
    expect(after.limitHit).toBe("disk");
    expect(after.limitMessage).toMatch(/no further command runs in this task/);
    expect(existsSync(path.join(host.workspace, "after.txt"))).toBe(false);
    expect(sandbox.exhausted?.()).toMatch(/disk limit exceeded/);
  });

  // Before: files were never counted, and the measurement switched itself off past a million
  // entries. Empty files cost no bytes, so only an inode budget stops them.
  it("creating more files than the inode budget stops the command", async () => {
    const sandbox = sandboxFor(host, { limits: { inodes: 2000 } });
    const result = await sh(sandbox, "mkdir many; cd many; for i in $(seq 200000); do : > f$i; done; echo made all", {
      timeoutMs: 60_000,
    });
    expect(result.output).not.toContain("made all");
    expect(result.limitHit).toBe("disk");
    expect(result.limitMessage).toMatch(/more than 2000 files and directories/);
    const made = spawnSync("sh", ["-c", `ls ${path.join(host.workspace, "many")} | wc -l`], { encoding: "utf8" });
    expect(Number(made.stdout.trim())).toBeLessThan(50_000);
  });

  // Before: bwrap's /dev is a tmpfs with no size, writable by the command: it held as much of
  // the host's RAM as the command wrote, past every budget.
  it("cannot fill /dev or /dev/shm past a small budget", async () => {
    const sandbox = sandboxFor(host, { limits: { memoryBytes: 64 * MIB } });
    const result = await sh(
      sandbox,
      [
        "head -c 32M /dev/zero > /dev/fill && echo DEV-FILLED",
        "for i in $(seq 20); do head -c 4M /dev/zero > /dev/shm/fill$i || break; done",
        "du -sm /dev/shm | cut -f1",
        "echo done",
      ].join("; "),
    );
    expect(result.output).toContain("done");
    expect(result.output).not.toContain("DEV-FILLED");
    expect(result.output).toMatch(/Read-only file system/);
    const shm = Number(/^(\d+)$/m.exec(result.output)?.[1] ?? "999");
    expect(shm).toBeLessThanOrEqual(16); // a quarter of the memory budget
  });

  // Empty files in a tmpfs take no size, but an inode and a dentry of the host kernel's memory each.
  it("cannot fill the private /tmp with empty files", async () => {
    const result = await sh(
      sandboxFor(host),
      "mkdir /tmp/many; cd /tmp/many; for i in $(seq 400000); do : > f$i; done; echo made all",
      { timeoutMs: 60_000 },
    );
    expect(result.output).not.toContain("made all");
    expect(result.limitHit).toBe("disk");
    expect(result.limitMessage).toMatch(/more than 100000 files in the private \/tmp/);
  });

  // The private /tmp (and HOME) is a tmpfs, which lives in the host's memory, and RLIMIT_DATA
  // does not count its pages: the mounts are sized (bwrap --size) by the memory and disk budgets.
  it("a fill of the private /tmp with many small files stays bounded", async () => {
    const sandbox = sandboxFor(host, { limits: { fileSizeBytes: 4 * MIB, memoryBytes: 64 * MIB } });
    const result = await sh(
      sandbox,
      "for i in $(seq 60); do head -c 4M /dev/zero > /tmp/fill$i || break; done; du -sm /tmp | cut -f1",
    );
    const used = Number(/^(\d+)$/m.exec(result.output)?.[1] ?? "0");
    expect(used).toBeLessThanOrEqual(128);
    expect(existsSync(path.join(host.workspace, "fill1"))).toBe(false);
  });
});

/** How many host processes descend from `root` now (whatever namespace they are in). */
function descendantsOf(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after its last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z") continue;
      children.set(Number(ppid), [...(children.get(Number(ppid)) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  let count = 0;
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    count += 1;
    queue.push(...(children.get(pid) ?? []));
  }
  return count;
}

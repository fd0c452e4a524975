// A hostile model's resource bombs, contained by the sandbox policy's limits (not by ulimits
// the command sets on itself). Each bomb is bounded on purpose (a few hundred processes, a few
// hundred MiB), so that even where a limit does not hold, this machine is not taken down.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
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

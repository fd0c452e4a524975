import { spawn } from "node:child_process";
import { existsSync, linkSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { cgroupHost, createCommandCgroup } from "./limits-cgroup.js";
import { diskUsage } from "./limits-disk.js";
import { resolveLimits } from "./limits.js";

const host = cgroupHost();

describe.skipIf(host === null)("command cgroup", () => {
  it("holds the command from its start, counts refused forks, and kills and removes it all", async () => {
    const cgroup = createCommandCgroup(resolveLimits({ processes: 8 }))!;
    expect(cgroup).not.toBeNull();
    const { file, args } = cgroup.wrap("bash", ["-c", "for i in $(seq 20); do sleep 30 & done; wait"]);
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    const closed = once(child, "close"); // remove() kills it: listen before
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // bash retries a refused fork (for seconds): its first complaint is the sign.
    await once(child.stderr, "data");
    expect(stderr).toMatch(/fork: retry: Resource temporarily unavailable/);
    expect(cgroup.events().processes).toBe(true);
    expect(existsSync(path.join(cgroup.dir, "cgroup.procs"))).toBe(true);
    await cgroup.remove(2000);
    expect(existsSync(cgroup.dir)).toBe(false);
    await closed;
  });

  // Measurable with cgroup v2, or v1 with a writable cpuacct hierarchy (as here when root).
  it.skipIf(host?.kind === "v1-pids" && !host.cpuacctParent)(
    "measures the CPU time of the command and its children, and removes its cpuacct cgroup too",
    async () => {
      const cgroup = createCommandCgroup(resolveLimits())!;
      const busy = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done";
      const { file, args } = cgroup.wrap("sh", ["-c", `(${busy}) & ${busy}; wait`]);
      await once(spawn(file, args, { stdio: "ignore" }), "close");
      const seconds = cgroup.cpuSeconds();
      expect(seconds).not.toBeNull();
      expect(seconds!).toBeGreaterThan(0.05);
      await cgroup.remove(2000);
      if (host?.cpuacctParent) expect(existsSync(path.join(host.cpuacctParent, path.basename(cgroup.dir)))).toBe(false);
    },
  );

  it("says so when nothing was refused", async () => {
    const cgroup = createCommandCgroup(resolveLimits())!;
    const { file, args } = cgroup.wrap("true", []);
    await once(spawn(file, args, { stdio: "ignore" }), "close");
    expect(cgroup.events()).toEqual({ processes: false, memory: false });
    await cgroup.remove(2000);
  });
});

describe("diskUsage", () => {
  it("counts allocated blocks and entries, hard links once, and stops just past its entry budget", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "quire-du-"));
    try {
      const empty = await diskUsage(dir);
      writeFileSync(path.join(dir, "a"), Buffer.alloc(1024 * 1024, 1));
      linkSync(path.join(dir, "a"), path.join(dir, "b"));
      const withFile = await diskUsage(dir);
      expect(withFile.bytes - empty.bytes).toBeGreaterThanOrEqual(1024 * 1024);
      expect(withFile.bytes - empty.bytes).toBeLessThan(1.5 * 1024 * 1024);
      expect(withFile).toMatchObject({ entries: 2, truncated: false });
      expect(await diskUsage(dir, 1)).toMatchObject({ truncated: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

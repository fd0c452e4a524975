import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { cgroupHost, createCommandCgroup } from "./limits-cgroup.js";
import { resolveLimits } from "./limits.js";

const host = cgroupHost();

/** A pid that is surely not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

// Needs a cgroup Quire may create children in (v2 delegated, or v1 pids); without one there is nothing to sweep.
it.skipIf(host === null)(
  "the first command cgroup of a process sweeps those a killed Quire left, and what runs in them",
  async () => {
    const parent = host!.parent;
    const abandoned = path.join(parent, `quire-${await deadPid()}-1`);
    mkdirSync(abandoned);
    const leftover = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
    writeFileSync(path.join(abandoned, "cgroup.procs"), String(leftover.pid));
    const exited = new Promise<number | null>((resolve) => leftover.on("exit", (code) => resolve(code)));

    const cgroup = createCommandCgroup(resolveLimits());
    expect(cgroup).not.toBeNull();
    // Killed by the sweep (else this waits for the test's timeout and fails).
    expect(await exited).not.toBe(0);
    await cgroup!.remove(2000);
    // The directory itself goes once its last process is reaped (here, or on the next sweep).
    if (existsSync(abandoned)) rmdirSync(abandoned);
  },
);

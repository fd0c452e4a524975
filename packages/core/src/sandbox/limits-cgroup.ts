import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxResourceLimits } from "./limits.js";

/** Where per-command cgroups can be made, found once per process. */
export interface CgroupHost {
  /** "v2": memory.max and pids.max, cgroup.kill. "v1-pids": only the v1 pids controller. */
  kind: "v2" | "v1-pids";
  /** Directory new command cgroups are created in (the one Quire itself is in). */
  parent: string;
  /** v1: where a cpuacct cgroup per command can be made, to measure CPU time; null when not. */
  cpuacctParent?: string | null;
}

/** A cgroup holding one command (and everything it starts); see createCommandCgroup. */
export interface CommandCgroup {
  readonly kind: CgroupHost["kind"];
  /** Its directory in the cgroup file system. */
  readonly dir: string;
  /** The spawn that makes `file` join the cgroup before it runs (so before its first fork). */
  wrap(file: string, args: string[]): { file: string; args: string[] };
  /** What the kernel refused: a fork over pids.max, an OOM kill over memory.max. */
  events(): { processes: boolean; memory: boolean };
  /** CPU seconds its processes used (v2 cpu.stat; v1 a cpuacct cgroup beside it); null when unknown. */
  cpuSeconds(): number | null;
  /** SIGKILLs every process in it (cgroup.kill on v2, each listed pid on v1). */
  kill(): void;
  /** Kills what is left and removes it, waiting up to `maxMs` for its processes to be gone. */
  remove(maxMs: number): Promise<void>;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** "hierarchy-id:controllers:path" lines of /proc/self/cgroup. */
function ownCgroups(): { controllers: string[]; path: string }[] {
  try {
    return readFileSync("/proc/self/cgroup", "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [, controllers = "", cgroupPath = "/"] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
        return { controllers: controllers.split(",").filter(Boolean), path: cgroupPath };
      });
  } catch {
    return [];
  }
}

const read = (file: string): string => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};

/** Whether a child cgroup can be created (and removed) in `dir`: the hierarchy is delegated to us. */
function canCreateIn(dir: string): boolean {
  const probe = path.join(dir, `quire-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * cgroup v2 with the memory and pids controllers handed down to our cgroup's children (the
 * "no internal processes" rule means someone set this up for us, e.g. Quire runs in the root
 * cgroup of a container), else the v1 pids controller when it is writable (hybrid hosts, as
 * root). null otherwise: then only the rlimits apply.
 */
function detect(): CgroupHost | null {
  const own = ownCgroups();
  const unified = own.find((entry) => entry.controllers.length === 0 && entry.path.startsWith("/"));
  if (unified && read(path.join(CGROUP_ROOT, "cgroup.controllers")) !== "") {
    const parent = path.join(CGROUP_ROOT, unified.path);
    const control = path.join(parent, "cgroup.subtree_control");
    try {
      writeFileSync(control, "+memory +pids");
    } catch {
      // Already on, or not ours to change: the check below decides.
    }
    const enabled = read(control).split(/\s+/);
    if (enabled.includes("memory") && enabled.includes("pids") && canCreateIn(parent)) return { kind: "v2", parent };
  }
  const pids = own.find((entry) => entry.controllers.includes("pids"));
  if (pids) {
    const parent = path.join(CGROUP_ROOT, "pids", pids.path);
    const cpuacct = own.find((entry) => entry.controllers.includes("cpuacct"));
    const cpuacctParent = cpuacct ? path.join(CGROUP_ROOT, cpuacct.controllers.join(","), cpuacct.path) : null;
    if (canCreateIn(parent)) {
      return {
        kind: "v1-pids",
        parent,
        cpuacctParent: cpuacctParent && canCreateIn(cpuacctParent) ? cpuacctParent : null,
      };
    }
  }
  return null;
}

let detected: CgroupHost | null | undefined;

export function cgroupHost(): CgroupHost | null {
  if (detected === undefined) detected = detect();
  return detected;
}

let created = 0;
let swept = false;

/**
 * Removes command cgroups left by Quire processes that were killed before cleaning up (their
 * owner pid is gone), killing what still runs in them. Once per process, before its first command.
 */
function sweepAbandoned(parent: string): void {
  swept = true;
  for (const name of readdirSync(parent, { withFileTypes: true })) {
    const owner = /^quire-(\d+)-\d+$/.exec(name.name)?.[1];
    if (!name.isDirectory() || owner === undefined || Number(owner) === process.pid) continue;
    try {
      process.kill(Number(owner), 0);
      continue; // its Quire process still runs
    } catch {
      // gone: the cgroup is abandoned
    }
    const dir = path.join(parent, name.name);
    try {
      // What is left there (e.g. a bwrap whose sandbox died with the killed Quire) goes too.
      for (const pid of readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        process.kill(Number(pid), "SIGKILL");
      }
      rmdirSync(dir); // fails, harmlessly, if a process has not finished dying: the next sweep takes it
    } catch {
      // leave it
    }
  }
}

/** One new cgroup under `host` for one command, with its limits written; null when that fails. */
export function createCommandCgroup(
  limits: SandboxResourceLimits,
  host: CgroupHost | null = cgroupHost(),
): CommandCgroup | null {
  if (host === null) return null;
  if (!swept) {
    try {
      sweepAbandoned(host.parent);
    } catch {
      // an unreadable parent only means nothing is swept
    }
  }
  const dir = path.join(host.parent, `quire-${process.pid}-${++created}`);
  try {
    mkdirSync(dir);
    writeFileSync(path.join(dir, "pids.max"), String(limits.processes));
    if (host.kind === "v2") {
      writeFileSync(path.join(dir, "memory.max"), String(limits.memoryBytes));
    }
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // never created
    }
    return null;
  }
  try {
    // Without it the kernel swaps the command out instead of stopping it; absent without swap accounting.
    if (host.kind === "v2") writeFileSync(path.join(dir, "memory.swap.max"), "0");
  } catch {
    // No swap accounting: nothing to turn off.
  }
  const procs = path.join(dir, "cgroup.procs");
  // v1: CPU time lives in another hierarchy; the command joins a cpuacct cgroup of the same name.
  let cpuDir: string | null = null;
  if (host.kind === "v1-pids" && host.cpuacctParent) {
    try {
      cpuDir = path.join(host.cpuacctParent, path.basename(dir));
      mkdirSync(cpuDir);
    } catch {
      cpuDir = null;
    }
  }
  const counter = (file: string, name: string): number =>
    Number(new RegExp(`^${name} (\\d+)$`, "m").exec(read(path.join(dir, file)))?.[1] ?? 0);
  const members = (): number[] => read(procs).split("\n").filter(Boolean).map(Number);
  const kill = (): void => {
    if (host.kind === "v2") {
      try {
        writeFileSync(path.join(dir, "cgroup.kill"), "1");
        return;
      } catch {
        // Kernels before 5.14 have no cgroup.kill: kill each member below.
      }
    }
    for (const pid of members()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  };
  return {
    kind: host.kind,
    dir,
    wrap(file, args) {
      // $$ is the shell itself, which then becomes `file`: it is in the cgroup before it
      // runs. Node spawns and cannot clone3 into a cgroup, nor run code between fork and exec.
      const join = 'echo $$ > "$0" || { echo "quire: cannot join the command cgroup" >&2; exit 125; }; ';
      if (cpuDir === null) return { file: "/bin/sh", args: ["-c", `${join}exec "$@"`, procs, file, ...args] };
      // The cpuacct cgroup only measures: failing to join it must not stop the command.
      const script = `${join}echo $$ > "$1" 2>/dev/null; shift; exec "$@"`;
      return { file: "/bin/sh", args: ["-c", script, procs, path.join(cpuDir, "cgroup.procs"), file, ...args] };
    },
    events: () => ({
      processes: counter("pids.events", "max") > 0,
      memory: host.kind === "v2" && counter("memory.events", "oom_kill") > 0,
    }),
    cpuSeconds: () => {
      if (host.kind === "v2") {
        const usec = /^usage_usec (\d+)$/m.exec(read(path.join(dir, "cpu.stat")))?.[1];
        return usec === undefined ? null : Number(usec) / 1e6;
      }
      if (cpuDir === null) return null;
      const ns = read(path.join(cpuDir, "cpuacct.usage")).trim();
      return ns === "" ? null : Number(ns) / 1e9;
    },
    kill,
    async remove(maxMs) {
      const deadline = performance.now() + maxMs;
      // The last processes are usually gone within a millisecond or two: short waits first.
      for (let wait = 0.5; ; wait = Math.min(wait * 2, 10)) {
        kill();
        try {
          rmdirSync(dir); // only succeeds once no process is left in it
          if (cpuDir !== null) rmdirSync(cpuDir);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT" || performance.now() > deadline) return;
        }
        await sleep(wait);
      }
    },
  };
}

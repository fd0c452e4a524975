import { accessSync, constants as fsConstants } from "node:fs";
import { constants } from "node:os";
import path from "node:path";

/** What one command (and, for disk, the task) may use; see DEFAULT_SANDBOX_LIMITS. */
export interface SandboxResourceLimits {
  /** Processes and threads the command may have at once. */
  processes: number;
  /**
   * Memory in bytes: the whole command's (cgroup v2 memory.max) where Quire can create cgroups,
   * and always each process's private writable memory (RLIMIT_DATA).
   */
  memoryBytes: number;
  /** CPU seconds of each process (RLIMIT_CPU): SIGXCPU, then SIGKILL a second later. */
  cpuSeconds: number;
  /** Largest file a process may write (RLIMIT_FSIZE): SIGXFSZ / EFBIG past it. */
  fileSizeBytes: number;
  /**
   * How much the workspace may grow over the task: a hard cap where the task layer could give
   * the workspace a file system of that size (disk-layer.ts), else watched while each command
   * runs and the command killed past it (limits-watch.ts).
   */
  diskBytes: number;
  /** Files and directories the workspace may gain over the task, enforced the same way as diskBytes. */
  inodes: number;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxResourceLimits> = Object.freeze({
  processes: 512,
  memoryBytes: 4 * GIB,
  cpuSeconds: 600,
  fileSizeBytes: 1 * GIB,
  diskBytes: 5 * GIB,
  inodes: 1_000_000,
});

export type LimitKind = "memory" | "processes" | "cpu" | "file_size" | "disk" | "output" | "timeout";

/** The policy's limits over the defaults; a non-positive or non-finite value keeps the default. */
export function resolveLimits(given: Partial<SandboxResourceLimits> = {}): SandboxResourceLimits {
  const limits = { ...DEFAULT_SANDBOX_LIMITS };
  for (const key of Object.keys(limits) as (keyof SandboxResourceLimits)[]) {
    const value = given[key];
    if (value !== undefined && Number.isFinite(value) && value > 0) limits[key] = Math.floor(value);
  }
  return limits;
}

const SEARCH_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];
let prlimitPath: string | null | undefined;

/**
 * util-linux's prlimit, from the system directories only: inside bwrap they are the same
 * read-only view, so the path found here works there too. null when it is not installed.
 */
export function findPrlimit(): string | null {
  if (prlimitPath !== undefined) return prlimitPath;
  prlimitPath = null;
  for (const dir of SEARCH_DIRS) {
    const candidate = path.join(dir, "prlimit");
    try {
      accessSync(candidate, fsConstants.X_OK);
      prlimitPath = candidate;
      break;
    } catch {
      // not here
    }
  }
  return prlimitPath;
}

/**
 * The argv that runs `argv` under the per-process limits. Node cannot call setrlimit, and
 * setting them on the spawned process from outside would race its first fork, so prlimit
 * sets them on itself and execs the command. The CPU hard limit is one second above the soft
 * one so the command first gets SIGXCPU (which says what happened) rather than a bare SIGKILL.
 * `processes` is left out when it would count more than the command (see none.ts).
 */
export function rlimitArgv(limits: SandboxResourceLimits, argv: string[], options: { processes: boolean }): string[] {
  const prlimit = findPrlimit();
  if (prlimit === null) return argv;
  return [
    prlimit,
    ...(options.processes ? [`--nproc=${limits.processes}`] : []),
    `--data=${limits.memoryBytes}`,
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    // One file cannot be larger than the whole disk budget either.
    `--fsize=${Math.min(limits.fileSizeBytes, limits.diskBytes)}`,
    "--core=0",
    "--",
    ...argv,
  ];
}

const signalExit = (name: NodeJS.Signals): number => 128 + constants.signals[name];

/** What shells print when a process of theirs died of SIGXCPU / SIGXFSZ (strsignal). */
const SIGNAL_MESSAGES: [LimitKind, RegExp][] = [
  ["cpu", /CPU time limit exceeded/],
  ["file_size", /File size limit exceeded/],
];
/** What programs print when a limit makes a call fail (strerror, runtimes); weaker, so only on failure. */
const FAILURE_MESSAGES: [LimitKind, RegExp][] = [
  ["file_size", /File too large/],
  [
    "memory",
    /Cannot allocate memory|MemoryError|out of memory|memory exhausted|bad_alloc|allocation failed|could not allocate memory/i,
  ],
  ["processes", /fork: (retry: )?Resource temporarily unavailable|Resource temporarily unavailable.*(fork|thread)/i],
];

/**
 * The limit that most likely stopped a command (or one of its processes), from its exit
 * status and output. A guess (a program may print these words itself); it only adds an
 * explanatory line. exitCode null: it was killed (timeout, output cap).
 */
export function limitFromOutcome(exitCode: number | null, output: string): LimitKind | undefined {
  if (exitCode === signalExit("SIGXCPU")) return "cpu";
  if (exitCode === signalExit("SIGXFSZ")) return "file_size";
  const messages = exitCode === 0 ? SIGNAL_MESSAGES : [...SIGNAL_MESSAGES, ...FAILURE_MESSAGES];
  return messages.find(([, pattern]) => pattern.test(output))?.[0];
}

const mib = (bytes: number): string => `${Math.round((bytes / MIB) * 10) / 10} MiB`;

/** The line told to the model and the user when a limit was hit. */
export function describeLimitHit(kind: LimitKind, limits: SandboxResourceLimits, detail?: string): string {
  switch (kind) {
    case "memory":
      return `limit hit: memory (${mib(limits.memoryBytes)}); allocations failed or the command was killed`;
    case "processes":
      return `limit hit: processes (${limits.processes} at once); further forks failed`;
    case "cpu":
      return `limit hit: CPU time (${limits.cpuSeconds} s per process); the process was killed`;
    case "file_size":
      return `limit hit: file size (${mib(limits.fileSizeBytes)} per file); the write was cut off there`;
    case "disk":
      return `disk limit exceeded: ${detail ?? `workspace grew past ${mib(limits.diskBytes)}`}`;
    case "output":
      return `limit hit: output (${detail ?? "too much"}); the command was killed`;
    case "timeout":
      return `limit hit: wall time${detail ? ` (${detail})` : ""}; the command was killed`;
  }
}

export { mib as formatMiB };

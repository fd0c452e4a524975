/** Isolation backends run one command at a time for the tools; see bwrap.ts and none.ts. */

// The sandbox's own types and constants: every backend imports them, they import no backend.
import type { ChildProcess } from "node:child_process";
import type { LimitKind, SandboxResourceLimits } from "./limits.js";

export type SandboxBackendName = "bwrap" | "none" | "container";

/** HOME inside the sandbox: a fresh, empty tmpfs per command, so no dotfile or credential of the host shows. */
export const SANDBOX_HOME = "/home/quire";

/** PATH inside the sandbox: the host's system directories, seen read-only. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Which container engine runs the commands, and in which image (pulled beforehand: see container.ts). */
export interface ContainerOptions {
  engine: "podman" | "docker";
  image: string;
}

export const DEFAULT_CONTAINER: Readonly<ContainerOptions> = Object.freeze({
  engine: "podman",
  image: "docker.io/library/debian:bookworm-slim",
});

export interface SandboxPolicy {
  /** Absolute path of the task workspace; the only writable place besides a private /tmp. */
  workspace: string;
  /** false in ask mode: the workspace is mounted read-only. */
  writable: boolean;
  /** false by default: the command gets its own empty network namespace. */
  network: boolean;
  /**
   * Allowlist mode (with network false): the Unix socket of the filtering proxy outside the
   * sandbox (network/filtering-proxy.ts), the command's only way out. Ignored when network is true.
   */
  proxy?: { socketPath: string };
  /** Extra host paths the command may read (e.g. a git clone's alternates object store). */
  readOnlyPaths?: string[];
  /**
   * Where the workspace's growth is measured for the disk limit (default: the workspace). For
   * an overlay workspace, its upper layer: only what the task wrote, so the check stays cheap.
   */
  diskUsageRoot?: string;
  /**
   * The usage root lies on a file system of the task's own (its disk layer): growth is read
   * from that file system's counters (statfs), never by walking the files.
   */
  diskUsageOwnFileSystem?: boolean;
  /**
   * false: the workspace's growth is not measured around each command (Quire's own git, whose
   * writes are Quire's; a disk layer still bounds them in the kernel). Default true when writable.
   */
  watchDisk?: boolean;
  /** Processes, memory, CPU, file size, disk; DEFAULT_SANDBOX_LIMITS fills in what is not given. */
  limits?: Partial<SandboxResourceLimits>;
  /** The "container" backend's engine and image (container.ts); default podman with Debian bookworm-slim. */
  container?: ContainerOptions;
}

export interface ExecRequest {
  argv: string[];
  /** Absolute directory inside the workspace. */
  cwd: string;
  timeoutMs: number;
  /** Bytes of output kept; beyond it the middle is dropped with an explicit marker. */
  maxOutputBytes: number;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Live output (stdout and stderr interleaved), as it arrives. */
  onOutput?: (chunk: string) => void;
  /** Past this many bytes of output the command is killed (default: see outputHardCap). */
  maxTotalOutputBytes?: number;
}

export interface ExecResult {
  /** null when the process was killed (timeout, cancel) before exiting on its own. */
  exitCode: number | null;
  /** stdout and stderr interleaved, bounded to maxOutputBytes with a "… N bytes omitted …" marker. */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** The limit that stopped the command, or that it went past, when that could be told. */
  limitHit?: LimitKind;
  /** What to tell the model and the user about it (e.g. "limit hit: CPU time (600 s per process)…"). */
  limitMessage?: string;
}

/** A long-lived process with piped stdio (an MCP server), in the sandbox of the task's commands. */
export interface StdioRequest {
  argv: string[];
  /** Absolute directory inside the workspace. */
  cwd: string;
  env?: Record<string, string>;
}

export interface Sandbox {
  readonly backend: SandboxBackendName;
  readonly policy: SandboxPolicy;
  exec(request: ExecRequest): Promise<ExecResult>;
  /** Starts a process with piped stdio under the same isolation; absent where the backend has none yet. */
  spawnStdio?(request: StdioRequest): ChildProcess;
  /** CPU seconds its commands used so far, where the host can measure it (command cgroups); else null. */
  cpuSeconds?(): number | null;
  /**
   * Why the task must end, once a command went past the task's disk budget (every later
   * command is refused); null while within it. The agent loop fails the task on it.
   */
  exhausted?(): string | null;
}

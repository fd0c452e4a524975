import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { StringDecoder } from "node:string_decoder";
import { OutputBuffer } from "./output-buffer.js";
import type { ExecRequest, ExecResult } from "./types.js";

/** How to start one command: the program actually spawned (bwrap, or the command itself). */
export interface ProcessSpec {
  file: string;
  args: string[];
  /** The complete environment; nothing is inherited. */
  env: Record<string, string>;
  /** Host directory the spawned program starts in. */
  cwd: string;
  /** Rewrites the exit code from how stderr began (bwrap reports exec failures there). */
  mapExitCode?: (code: number, stderrStart: string) => number;
  /** Receives what the program writes to its fd 3 (bwrap's --info-fd), which is a pipe only then. */
  onInfo?: (text: string) => void;
  /**
   * Contents handed to the program on fds 4, 5, ... (pipes, written and closed at once): what
   * bwrap's --file copies into the sandbox.
   */
  inputFds?: (string | Buffer)[];
  /** Host paths of the command's private tmpfs mounts, watched for their file count (limits-watch.ts). */
  scratchMounts?: () => string[];
  /** Awaited once the process is gone, before the result is given (e.g. until its sandbox is torn down). */
  untilDone?: (pid: number) => Promise<void>;
}

const STDERR_START_CHARS = 512;
/**
 * Output past which a command is killed: a runaway (`yes`, a logging loop) would otherwise
 * burn CPU until its timeout while everything but the head and tail is thrown away. Generous,
 * so verbose builds and test runs are not cut short.
 */
const OUTPUT_CAP_FACTOR = 10;
const OUTPUT_CAP_FLOOR = 64 * 1024 * 1024;

export function outputHardCap(request: ExecRequest): number {
  return request.maxTotalOutputBytes ?? Math.max(OUTPUT_CAP_FACTOR * request.maxOutputBytes, OUTPUT_CAP_FLOOR);
}
/** How long the pipes may stay open after the main process is gone, before we stop reading. */
const PIPE_GRACE_MS = 500;

/**
 * Runs a process in its own process group with stdin closed, interleaving stdout and stderr
 * into one bounded buffer. On timeout or abort the whole group is SIGKILLed; when the main
 * process exits, whatever it left running in its group is killed too, so no command outlives
 * its call. The result waits for the pipes to close (every process holding them is gone),
 * then for `spec.untilDone`, which makes sure the killed processes that did not hold them
 * are gone as well.
 */
export function spawnBounded(spec: ProcessSpec, request: ExecRequest): Promise<ExecResult> {
  const started = performance.now();
  const buffer = new OutputBuffer(request.maxOutputBytes);
  const hardCap = outputHardCap(request);
  let onOverflow = (): void => {};
  const emit = (text: string): void => {
    if (text === "") return;
    buffer.push(text);
    request.onOutput?.(text);
    if (buffer.totalBytes > hardCap) onOverflow();
  };
  let overflowed = false;
  const result = (exitCode: number | null, timedOut: boolean, cancelled: boolean): ExecResult => ({
    exitCode,
    output: buffer.render(),
    timedOut,
    cancelled,
    durationMs: Math.round(performance.now() - started),
    ...(overflowed ? { limitHit: "output" as const } : {}),
  });
  if (request.signal?.aborted) return Promise.resolve(result(null, false, true));

  return new Promise((resolve) => {
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: [
        "ignore",
        "pipe",
        "pipe",
        spec.onInfo ? "pipe" : "ignore",
        ...(spec.inputFds ?? []).map(() => "pipe" as const),
      ],
    });
    (spec.inputFds ?? []).forEach((content, index) => {
      const pipe = child.stdio[4 + index] as NodeJS.WritableStream | null;
      pipe?.on("error", () => undefined); // the program died before reading it: its exit says why
      pipe?.end(content);
    });
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let stderrStart = "";

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = (reason: "timeout" | "abort"): void => {
      if (timedOut || cancelled) return;
      if (reason === "timeout") timedOut = true;
      else cancelled = true;
      killGroup();
    };
    onOverflow = () => {
      if (overflowed || timedOut || cancelled) return;
      overflowed = true;
      killGroup();
    };
    const timer = setTimeout(() => stop("timeout"), request.timeoutMs);
    const onAbort = (): void => stop("abort");
    request.signal?.addEventListener("abort", onAbort, { once: true });
    const settle = (value: ExecResult): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    const stopWatching = (): void => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      request.signal?.removeEventListener("abort", onAbort);
    };

    const stdout = new StringDecoder("utf8");
    const stderr = new StringDecoder("utf8");
    // Both are pipes (see stdio above); the 4-entry stdio just loses that in the typings.
    child.stdout!.on("data", (chunk: Buffer) => emit(stdout.write(chunk)));
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = stderr.write(chunk);
      if (stderrStart.length < STDERR_START_CHARS) stderrStart += text.slice(0, STDERR_START_CHARS);
      emit(text);
    });
    const info = child.stdio[3];
    if (spec.onInfo && info) info.on("data", (chunk: Buffer) => spec.onInfo?.(chunk.toString("utf8")));

    child.on("exit", () => {
      killGroup();
      // Only a process that escaped the group (setsid, with the none backend) can still hold
      // the pipes now; stop waiting for it.
      graceTimer = setTimeout(() => {
        for (const pipe of child.stdio) pipe?.destroy();
      }, PIPE_GRACE_MS);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // only spawn failures come here without a pid
      stopWatching();
      emit(`${describeSpawnError(error, spec)}\n`);
      settle(result(error.code === "ENOENT" ? 127 : 126, false, false));
    });
    child.on("close", (code, signal) => {
      stopWatching();
      emit(stdout.end());
      emit(stderr.end());
      let exitCode: number | null = null;
      if (!timedOut && !cancelled && !overflowed) {
        // Died of a signal on its own (e.g. a crash): report it the way shells do.
        exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
        if (spec.mapExitCode) exitCode = spec.mapExitCode(exitCode, stderrStart);
      }
      const done = spec.untilDone && child.pid !== undefined ? spec.untilDone(child.pid) : Promise.resolve();
      void done.then(() => settle(result(exitCode, timedOut, cancelled)));
    });
  });
}

function describeSpawnError(error: NodeJS.ErrnoException, spec: ProcessSpec): string {
  if (error.code === "ENOENT") {
    return existsSync(spec.cwd) ? `command not found: ${spec.file}` : `no such working directory: ${spec.cwd}`;
  }
  if (error.code === "EACCES") return `permission denied: ${spec.file}`;
  return `cannot run ${spec.file}: ${error.message}`;
}

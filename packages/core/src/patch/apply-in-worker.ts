/**
 * Applying a patch off the host's event loop: apply_patch runs in Quire's own process (the
 * sandbox's commands do not), so a patch that is slow to match, a huge file or a file that never
 * answers would otherwise stall every task and request the process serves. Each patch gets a
 * worker thread with a time budget and a memory cap; cancel or the budget terminates it.
 * Operations already carried out stay (Codex's semantics) and are reported.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { PatchWorkerInput, PatchWorkerMessage, SerializedPatchError } from "./apply-worker.js";
import { type AppliedChange, PatchApplyError, PatchParseError } from "./types.js";

/** A patch that takes longer than this is stopped; real patches take milliseconds. */
export const APPLY_PATCH_BUDGET_MS = 30_000;
/** The worker's heap: room for a file of a few hundred MB and its copy, no more. */
export const APPLY_PATCH_MEMORY_MB = 1024;

export interface PatchInWorkerOptions {
  /** Directory the patch's relative paths start from (see ApplyPatchOptions). */
  base?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The built worker script. Run from the TypeScript sources (tests), this module has no `.js`
 * sibling and the package's build is used instead.
 */
function workerScript(): string {
  const beside = fileURLToPath(new URL("./apply-worker.js", import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL("../../dist/patch/apply-worker.js", import.meta.url));
  if (existsSync(built)) return built;
  throw new PatchApplyError("The patch engine's worker is not built (npm run build); no files were modified.", {
    applied: [],
  });
}

function revive(error: SerializedPatchError, applied: AppliedChange[]): Error {
  if (error.kind === "parse") return new PatchParseError(error.message, error.lineNumber);
  return new PatchApplyError(error.message, { applied, path: error.path, refusedPath: error.refusedPath });
}

function stopped(reason: string, applied: AppliedChange[]): PatchApplyError {
  return new PatchApplyError(reason, { applied: [...applied] });
}

/** Idle workers kept for the next patch; more patches at once start more, which end afterwards. */
const MAX_IDLE_WORKERS = 2;
const idle: Worker[] = [];

function takeWorker(): Worker {
  const kept = idle.pop();
  if (kept) {
    kept.ref();
    return kept;
  }
  const worker = new Worker(workerScript(), { resourceLimits: { maxOldGenerationSizeMb: APPLY_PATCH_MEMORY_MB } });
  // One that dies while idle (it should not) is forgotten, not handed out again.
  worker.on("exit", () => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  });
  return worker;
}

/** How many workers wait for the next patch (for tests). */
export const idlePatchWorkers = (): number => idle.length;

/** Back to the idle ones (not keeping the process alive), or ended when enough are idle. */
function releaseWorker(worker: Worker): void {
  if (idle.length >= MAX_IDLE_WORKERS) {
    void worker.terminate();
    return;
  }
  worker.unref();
  idle.push(worker);
}

/** applyPatch, in a worker thread, within `timeoutMs`; rejects as applyPatch does, or with why it was stopped. */
export function applyPatchInWorker(
  workspace: string,
  patchText: string,
  options: PatchInWorkerOptions = {},
): Promise<AppliedChange[]> {
  const timeoutMs = options.timeoutMs ?? APPLY_PATCH_BUDGET_MS;
  if (options.signal?.aborted) return Promise.reject(stopped("cancelled before it started", []));
  return new Promise((resolve, reject) => {
    const input: PatchWorkerInput = { workspace, patchText, base: options.base };
    const worker = takeWorker();
    const applied: AppliedChange[] = [];
    let settled = false;
    /** `reusable`: the patch ended as the worker reported it, so the thread is in a known state. */
    const finish = (outcome: () => void, reusable = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      if (reusable) releaseWorker(worker);
      else void worker.terminate();
      outcome();
    };
    const seconds = Number((timeoutMs / 1000).toFixed(1));
    const timer = setTimeout(() => {
      const why = `apply_patch took longer than ${seconds} s and was stopped. Send smaller patches whose context lines match the file exactly.`;
      finish(() => reject(stopped(why, applied)));
    }, timeoutMs);
    const onAbort = (): void => finish(() => reject(stopped("cancelled; the patch was stopped", applied)));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const onMessage = (message: PatchWorkerMessage): void => {
      if (message.type === "applied") applied.push(message.change);
      if (message.type === "done") finish(() => resolve([...applied]), true);
      if (message.type === "failed") finish(() => reject(revive(message.error, [...applied])), true);
    };
    const onError = (error: Error & { code?: string }): void => {
      const why =
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `apply_patch needed more than ${APPLY_PATCH_MEMORY_MB} MiB of memory and was stopped`
          : `apply_patch failed: ${error.message}`;
      finish(() => reject(stopped(why, applied)));
    };
    const onExit = (code: number): void => {
      finish(() => reject(stopped(`apply_patch stopped unexpectedly (worker exit ${code})`, applied)));
    };
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.postMessage(input);
  });
}

// One check of the verification gate: run in the sandbox, streamed as a command_execution item,
// and written into the log a user reads.
import { type EmitItem, runCommandItem } from "../sandbox/command-item.js";
import { OutputBuffer } from "../sandbox/output-buffer.js";
import type { Sandbox } from "../sandbox/types.js";

export interface CheckRun {
  command: string;
  /** null when the check was killed (its timeout, a limit) before it exited. */
  exitCode: number | null;
  output: string;
  durationMs: number;
}

export type { EmitItem } from "../sandbox/command-item.js";

/** The log shown to a user keeps the start and the end of what the checks printed. */
export const VERIFY_LOG_MAX_BYTES = 64 * 1024;

export interface CheckOutcome {
  run: CheckRun;
  cancelled: boolean;
  /** Why the check did not finish on its own (timeout, a limit), for the log. */
  notes: string[];
}

export async function runCheck(options: {
  sandbox: Sandbox;
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
  itemId: string;
  nextItemId: () => string;
  emitItem: EmitItem;
  redact: (text: string) => string;
}): Promise<CheckOutcome> {
  const { result, output } = await runCommandItem({
    sandbox: options.sandbox,
    // sh -c, as a CI job's step: the check is one line of shell, with its pipes and &&s.
    argv: ["sh", "-c", options.command],
    command: options.command,
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs,
    itemOutputBytes: options.maxOutputBytes,
    signal: options.signal,
    itemId: options.itemId,
    nextItemId: options.nextItemId,
    emitItem: options.emitItem,
    redact: options.redact,
  });
  const notes: string[] = [];
  if (result.timedOut) notes.push(`timed out after ${formatSeconds(options.timeoutMs)} and was killed`);
  if (result.cancelled) notes.push("cancelled and killed");
  if (result.limitMessage) notes.push(result.limitMessage);
  const durationMs = Math.round(result.durationMs);
  return {
    run: { command: options.command, exitCode: result.exitCode, output: output(options.maxOutputBytes), durationMs },
    cancelled: result.cancelled,
    notes,
  };
}

/** A check as a user reads it in the log: the command line, its output, how it ended. */
export function checkLogEntry(outcome: Pick<CheckOutcome, "run" | "notes">): string {
  const { run } = outcome;
  const output = run.output === "" || run.output.endsWith("\n") ? run.output : `${run.output}\n`;
  const ending = run.exitCode === null ? "killed" : `exit ${run.exitCode}`;
  const notes = outcome.notes.map((note) => `[${note}]\n`).join("");
  return `$ ${run.command}\n${output}${notes}[${ending} after ${formatSeconds(run.durationMs)}]\n`;
}

/** The entries joined, with their middle dropped (and counted) past `maxBytes`. */
export function boundedLog(entries: string[], maxBytes = VERIFY_LOG_MAX_BYTES): string {
  const log = new OutputBuffer(maxBytes);
  for (const entry of entries) log.push(entry);
  return log.render();
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

import { type EmitItem, runCommandItem } from "../sandbox/command-item.js";
import type { Sandbox } from "../sandbox/types.js";

export class SetupFailedError extends Error {
  constructor(
    readonly phase: "setup" | "maintenance",
    readonly exitCode: number | null,
    readonly log: string,
    /** Why it was stopped, when it did not exit on its own (a timeout, a limit). */
    reason = "",
  ) {
    const tail = log.trimEnd().split("\n").slice(-20).join("\n");
    const ending = exitCode === null ? "killed" : `exit ${exitCode}`;
    super(`${phase} script failed (${ending}${reason ? `: ${reason}` : ""}):\n${tail}`);
    this.name = "SetupFailedError";
  }
}

/**
 * Runs the environment's setup (or maintenance) script in its own sandbox session, with the
 * network and the secrets, streaming its output as a command_execution item. The agent phase
 * runs later in other sandboxes that get neither.
 */
export async function runEnvironmentScript(options: {
  phase: "setup" | "maintenance";
  script: string;
  sandbox: Sandbox;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
  itemId: string;
  nextItemId: () => string;
  emitItem: EmitItem;
  /** Applied to every piece of output that leaves this function (secret values removed). */
  redact: (text: string) => string;
}): Promise<void> {
  const { result, item } = await runCommandItem({
    sandbox: options.sandbox,
    argv: ["bash", "-eo", "pipefail", "-c", options.script],
    command: `${options.phase} script`,
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
  if (result.exitCode === 0) return;
  const why = [result.timedOut ? `timed out after ${options.timeoutMs} ms` : "", result.limitMessage ?? ""];
  throw new SetupFailedError(options.phase, result.exitCode, item.aggregated_output, why.filter(Boolean).join("; "));
}

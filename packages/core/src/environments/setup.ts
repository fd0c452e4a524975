import type { ThreadItem } from "../events.js";
import type { Sandbox } from "../sandbox/types.js";

export class SetupFailedError extends Error {
  constructor(
    readonly phase: "setup" | "maintenance",
    readonly exitCode: number | null,
    readonly log: string,
  ) {
    const tail = log.trimEnd().split("\n").slice(-20).join("\n");
    super(`${phase} script failed (${exitCode === null ? "killed" : `exit ${exitCode}`}):\n${tail}`);
    this.name = "SetupFailedError";
  }
}

type CommandItem = Extract<ThreadItem, { type: "command_execution" }>;

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
  emitItem: (phase: "started" | "updated" | "completed", item: CommandItem) => void;
  /** Applied to every piece of output that leaves this function (secret values removed). */
  redact: (text: string) => string;
}): Promise<void> {
  const item: CommandItem = {
    id: options.itemId,
    type: "command_execution",
    command: `${options.phase} script`,
    aggregated_output: "",
    exit_code: null,
    status: "in_progress",
  };
  options.emitItem("started", item);
  let live = "";
  let lastUpdate = 0;
  const result = await options.sandbox.exec({
    argv: ["bash", "-eo", "pipefail", "-c", options.script],
    cwd: options.cwd,
    timeoutMs: options.timeoutMs,
    maxOutputBytes: options.maxOutputBytes,
    env: options.env,
    signal: options.signal,
    onOutput: (chunk) => {
      live += chunk;
      if (Date.now() - lastUpdate < 250) return;
      lastUpdate = Date.now();
      options.emitItem("updated", { ...item, aggregated_output: options.redact(live.slice(-options.maxOutputBytes)) });
    },
  });
  const output = options.redact(result.output);
  const ok = result.exitCode === 0;
  options.emitItem("completed", {
    ...item,
    aggregated_output: output,
    exit_code: result.exitCode,
    status: ok ? "completed" : "failed",
    duration_ms: Math.round(result.durationMs),
  });
  if (!ok) throw new SetupFailedError(options.phase, result.exitCode, output);
}

/**
 * Runs one command in a sandbox as a `command_execution` item of the event stream: the one
 * place that the shell tool, setup and maintenance scripts and verification checks share. The
 * item shows bounded output (its start and end, with the count of what was left out), redacted,
 * updated at most every UPDATE_INTERVAL_MS while it runs; it always ends, `failed` with the reason
 * when the sandbox itself fails; a limit that stopped the command is an error item of its own.
 */
import type { ThreadItem } from "../events.js";
import { plainExecFailureText } from "./exec-failure.js";
import { OutputBuffer } from "./output-buffer.js";
import type { ExecResult, Sandbox } from "./types.js";

export type CommandItem = Extract<ThreadItem, { type: "command_execution" }>;
export type EmitItem = (phase: "started" | "updated" | "completed", item: ThreadItem) => void;

/** Least time between two item.updated events of a running command: a chatty one must not flood the stream. */
export const UPDATE_INTERVAL_MS = 250;

/** Keeps a command's whole output when its item's copy is cut (a task's store), up to `maxBytes`. */
export interface CommandOutputKeeper {
  maxBytes: number;
  /** Stores the output of the command item `itemId`; resolves once it can be read back. */
  save(itemId: string, output: string): Promise<void>;
}

export interface CommandItemRequest {
  sandbox: Sandbox;
  argv: string[];
  /** The command as the item shows it (the quoted argv, "setup script", a check's line). */
  command: string;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Bytes of output the item's `aggregated_output` holds (head and tail). */
  itemOutputBytes: number;
  /** Bytes of output held for the caller's own views (`CommandItemRun.output`); at least itemOutputBytes. */
  keptOutputBytes?: number;
  signal: AbortSignal;
  itemId: string;
  /** Allocates the id of an error item (a limit, a whole output that could not be kept). */
  nextItemId: () => string;
  emitItem: EmitItem;
  /** Applied to every piece of output that leaves this function (secret values removed). */
  redact?: (text: string) => string;
  /** Where the whole output goes when the item's copy is cut; absent: only the item's copy. */
  keepOutput?: CommandOutputKeeper;
}

export interface CommandItemRun {
  result: ExecResult;
  /** The completed item, as emitted. */
  item: CommandItem;
  /** The output, redacted, cut to its start and end past `maxBytes` (at most what was kept). */
  output(maxBytes: number): string;
}

/**
 * Runs the command and streams its item. Resolves however the command ended (its exit code is in
 * the result); rejects only when the sandbox could not run it, after closing the item as failed.
 */
export async function runCommandItem(request: CommandItemRequest): Promise<CommandItemRun> {
  const redact = request.redact ?? ((text: string) => text);
  const started: CommandItem = {
    id: request.itemId,
    type: "command_execution",
    command: request.command,
    aggregated_output: "",
    exit_code: null,
    status: "in_progress",
  };
  request.emitItem("started", started);

  // One buffer serves every view (the item's, the caller's smaller or larger one, the whole kept
  // copy), each with an exact count of what it leaves out.
  const buffer = new OutputBuffer(
    Math.max(request.itemOutputBytes, request.keptOutputBytes ?? 0, request.keepOutput?.maxBytes ?? 0),
  );
  let lastUpdate = performance.now();
  const onOutput = (chunk: string): void => {
    buffer.push(chunk);
    const now = performance.now();
    if (now - lastUpdate < UPDATE_INTERVAL_MS) return;
    lastUpdate = now;
    request.emitItem("updated", { ...started, aggregated_output: redact(buffer.render(request.itemOutputBytes)) });
  };

  let result: ExecResult;
  try {
    result = await request.sandbox.exec({
      argv: request.argv,
      cwd: request.cwd,
      timeoutMs: request.timeoutMs,
      maxOutputBytes: buffer.maxBytes,
      signal: request.signal,
      onOutput,
      ...(request.env ? { env: request.env } : {}),
    });
  } catch (error) {
    // The sandbox itself failed: close the item so no consumer waits for it, then report.
    const reason = `the sandbox could not run the command: ${error instanceof Error ? error.message : String(error)}`;
    request.emitItem("completed", { ...started, aggregated_output: redact(reason), status: "failed" });
    throw error;
  }

  // The streamed chunks are what the process wrote; a command that could not start is said plainly.
  const output = (maxBytes: number): string => redact(plainExecFailureText(result.exitCode, buffer.render(maxBytes)));
  // Kept before the item is completed, so whoever sees `output_truncated` can fetch the whole;
  // a store that fails (a full disk) costs the whole copy, never the command's item.
  const keeping =
    buffer.totalBytes > request.itemOutputBytes && request.keepOutput
      ? await keepWhole(request.keepOutput, request.itemId, output)
      : null;
  const item: CommandItem = {
    ...started,
    aggregated_output: output(request.itemOutputBytes),
    exit_code: result.exitCode,
    status: result.exitCode === 0 ? "completed" : "failed",
    duration_ms: Math.round(result.durationMs),
    ...(keeping === true ? { output_truncated: true as const, output_bytes: buffer.totalBytes } : {}),
  };
  request.emitItem("completed", item);
  if (typeof keeping === "string") {
    request.emitItem("completed", { id: request.nextItemId(), type: "error", message: keeping });
  }
  // The user sees a limit as an error item of its own, not only inside the command's output.
  if (result.limitMessage) {
    request.emitItem("completed", { id: request.nextItemId(), type: "error", message: result.limitMessage });
  }
  return { result, item, output };
}

async function keepWhole(
  keep: CommandOutputKeeper,
  itemId: string,
  output: (maxBytes: number) => string,
): Promise<true | string> {
  try {
    await keep.save(itemId, output(keep.maxBytes));
    return true;
  } catch (error) {
    return `the whole output of this command could not be kept (its event has the start and end): ${error instanceof Error ? error.message : String(error)}`;
  }
}

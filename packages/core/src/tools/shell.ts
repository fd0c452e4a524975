import { statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { ThreadItem } from "../events.js";
import { PathEscapeError, resolveInsideWorkspace } from "../paths.js";
import { plainExecFailureText } from "../sandbox/exec-failure.js";
import { OutputBuffer } from "../sandbox/output-buffer.js";
import type { ExecResult } from "../sandbox/types.js";
import { quoteArgv } from "./shell-quote.js";
import type { CommandOutputKeeper, Tool, ToolContext } from "./types.js";

// Sent to the model with every request: keep it short.
const DESCRIPTION = `Run a command in the task's sandbox and get its exit code and output (stdout and stderr together; long output keeps its start and end).
\`command\` is an argv array, not a shell string: use ["bash", "-lc", "<script>"] for pipes, redirects, && or globs.
\`workdir\` (optional) is a directory inside the workspace, relative to the working directory.
Commands are killed after the default timeout; ask for more with \`timeout_ms\` (capped).
In ask mode the workspace is read-only.`;

const shellSchema = z.object({
  command: z.array(z.string()).min(1).describe('The command as argv, e.g. ["bash", "-lc", "npm test"].'),
  workdir: z
    .string()
    .optional()
    .describe("Directory to run in, inside the workspace; relative to the working directory."),
  timeout_ms: z.number().int().positive().optional().describe("Time limit in milliseconds."),
});

/** Bound of a command's aggregated_output in the event stream (the model gets less, see limits). */
export const AGGREGATED_OUTPUT_MAX_BYTES = 256 * 1024;
/** Least time between two item.updated events of a running command. */
const UPDATE_INTERVAL_MS = 250;

type CommandItem = Extract<ThreadItem, { type: "command_execution" }>;

/** The directory to run in, or the reason it is refused (told to the model; nothing runs). */
function resolveWorkdir(context: ToolContext, workdir: string | undefined): { cwd: string } | { refusal: string } {
  let cwd: string;
  try {
    cwd = resolveInsideWorkspace(context.workspace, workdir ?? ".", { base: context.cwd });
  } catch (error) {
    if (error instanceof PathEscapeError) return { refusal: `workdir refused: ${error.message}` };
    throw error;
  }
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    const shown = path.relative(context.workspace, cwd) || ".";
    return { refusal: `workdir refused: ${JSON.stringify(shown)} is not a directory in the workspace` };
  }
  return { cwd };
}

async function keepWhole(
  keep: CommandOutputKeeper,
  itemId: string,
  rendered: (maxBytes: number) => string,
): Promise<true | string> {
  try {
    await keep.save(itemId, rendered(keep.maxBytes));
    return true;
  } catch (error) {
    return `the whole output of this command could not be kept (its event has the start and end): ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Codex's compact tool output, plus a line saying why the command did not finish. */
export function formatShellOutput(result: ExecResult, output: string, timeoutMs: number): string {
  const lines = [
    `Exit code: ${result.exitCode ?? "none (killed)"}`,
    `Wall time: ${(result.durationMs / 1000).toFixed(1)} seconds`,
  ];
  if (result.timedOut) lines.push(`command timed out after ${timeoutMs} ms and was killed`);
  if (result.cancelled) lines.push("command was cancelled and killed");
  if (result.limitMessage) lines.push(result.limitMessage);
  lines.push("Output:", output);
  return lines.join("\n");
}

export const shellTool: Tool<typeof shellSchema> = {
  name: "shell",
  description: DESCRIPTION,
  schema: shellSchema,
  async run(args, context) {
    const workdir = resolveWorkdir(context, args.workdir);
    if ("refusal" in workdir) return { output: workdir.refusal };
    const { limits } = context;
    const timeoutMs = Math.min(args.timeout_ms ?? limits.defaultTimeoutMs, limits.maxTimeoutMs);

    let item: CommandItem = {
      id: context.nextItemId(),
      type: "command_execution",
      command: quoteArgv(args.command),
      aggregated_output: "",
      exit_code: null,
      status: "in_progress",
    };
    context.emitItem("started", item);

    // One buffer serves both views: the event stream's and the model's smaller one, each with
    // an exact count of what it leaves out.
    // It holds up to what is kept with the task (the environment's output limit), when that is more.
    const keep = context.keepOutput;
    const output = new OutputBuffer(Math.max(AGGREGATED_OUTPUT_MAX_BYTES, limits.maxOutputBytes, keep?.maxBytes ?? 0));
    let lastUpdate = performance.now();
    const onOutput = (chunk: string): void => {
      output.push(chunk);
      const now = performance.now();
      if (now - lastUpdate < UPDATE_INTERVAL_MS) return;
      lastUpdate = now;
      context.emitItem("updated", { ...item, aggregated_output: output.render(AGGREGATED_OUTPUT_MAX_BYTES) });
    };

    let result: ExecResult;
    try {
      result = await context.sandbox.exec({
        argv: args.command,
        cwd: workdir.cwd,
        timeoutMs,
        maxOutputBytes: output.maxBytes,
        signal: context.signal,
        onOutput,
        ...(context.env ? { env: context.env } : {}),
      });
    } catch (error) {
      // The sandbox itself failed: close the item so no consumer waits for it, then report.
      const message = error instanceof Error ? error.message : String(error);
      context.emitItem("completed", { ...item, aggregated_output: message, status: "failed" });
      throw error;
    }

    // The streamed chunks are what the process wrote; a command that could not start is said plainly.
    const rendered = (maxBytes: number): string => plainExecFailureText(result.exitCode, output.render(maxBytes));
    // Kept before the item is completed, so whoever sees `output_truncated` can fetch the whole;
    // a store that fails (a full disk) costs the whole copy, never the command's item.
    const keeping =
      output.totalBytes > AGGREGATED_OUTPUT_MAX_BYTES && keep ? await keepWhole(keep, item.id, rendered) : null;
    const kept = keeping === true;
    item = {
      ...item,
      aggregated_output: rendered(AGGREGATED_OUTPUT_MAX_BYTES),
      exit_code: result.exitCode,
      status: result.exitCode === 0 ? "completed" : "failed",
      duration_ms: result.durationMs,
      ...(kept ? { output_truncated: true as const, output_bytes: output.totalBytes } : {}),
    };
    context.emitItem("completed", item);
    if (typeof keeping === "string")
      context.emitItem("completed", { id: context.nextItemId(), type: "error", message: keeping });
    // The user sees a limit as an error item of its own, not only inside the command's output.
    if (result.limitMessage) {
      context.emitItem("completed", { id: context.nextItemId(), type: "error", message: result.limitMessage });
    }
    return { output: formatShellOutput(result, rendered(limits.maxOutputBytes), timeoutMs) };
  },
};

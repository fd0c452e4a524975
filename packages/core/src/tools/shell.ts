import { statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { loadToolDescription } from "../instructions/prompts.js";
import { PathEscapeError, resolveInsideWorkspace } from "../paths.js";
import { runCommandItem } from "../sandbox/command-item.js";
import type { ExecResult } from "../sandbox/types.js";
import { defineTool } from "./define-tool.js";
import { FatalToolError, ToolError } from "./errors.js";
import { quoteArgv } from "./shell-quote.js";
import type { ToolContext } from "./types.js";

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

/** The directory to run in; a ToolError says why it is refused (nothing runs). */
function resolveWorkdir(context: ToolContext, workdir: string | undefined): string {
  let cwd: string;
  try {
    cwd = resolveInsideWorkspace(context.workspace, workdir ?? ".", { base: context.cwd });
  } catch (error) {
    if (error instanceof PathEscapeError) throw new ToolError(`workdir refused: ${error.message}`);
    throw error;
  }
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    const shown = path.relative(context.workspace, cwd) || ".";
    throw new ToolError(`workdir refused: ${JSON.stringify(shown)} is not a directory in the workspace`);
  }
  return cwd;
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

export const shellTool = defineTool({
  name: "shell",
  description: loadToolDescription("shell"),
  schema: shellSchema,
  async handler(args, context) {
    const cwd = resolveWorkdir(context, args.workdir);
    const { limits } = context;
    const timeoutMs = Math.min(args.timeout_ms ?? limits.defaultTimeoutMs, limits.maxTimeoutMs);

    // The event's copy is bounded; the model's view (limits.maxOutputBytes) comes from the same
    // buffer, which also holds what is kept with the task (the environment's output limit).
    const run = runCommandItem({
      sandbox: context.sandbox,
      argv: args.command,
      command: quoteArgv(args.command),
      cwd,
      timeoutMs,
      itemOutputBytes: AGGREGATED_OUTPUT_MAX_BYTES,
      keptOutputBytes: limits.maxOutputBytes,
      signal: context.signal,
      itemId: context.nextItemId(),
      nextItemId: () => context.nextItemId(),
      emitItem: (phase, item) => context.emitItem(phase, item),
      ...(context.env ? { env: context.env } : {}),
      ...(context.keepOutput ? { keepOutput: context.keepOutput } : {}),
    });
    // Its item is closed as failed already; a sandbox that cannot run commands ends the task.
    const { result, output } = await run.catch((error: unknown) => {
      if (context.signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new FatalToolError(`the sandbox could not run a command: ${message}`, { cause: error });
    });
    return { output: formatShellOutput(result, output(limits.maxOutputBytes), timeoutMs) };
  },
});

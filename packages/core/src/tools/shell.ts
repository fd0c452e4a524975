import { statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { PathEscapeError, resolveInsideWorkspace } from "../paths.js";
import { runCommandItem } from "../sandbox/command-item.js";
import type { ExecResult } from "../sandbox/types.js";
import { quoteArgv } from "./shell-quote.js";
import type { Tool, ToolContext } from "./types.js";

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

    // The event's copy is bounded; the model's view (limits.maxOutputBytes) comes from the same
    // buffer, which also holds what is kept with the task (the environment's output limit).
    const { result, output } = await runCommandItem({
      sandbox: context.sandbox,
      argv: args.command,
      command: quoteArgv(args.command),
      cwd: workdir.cwd,
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
    return { output: formatShellOutput(result, output(limits.maxOutputBytes), timeoutMs) };
  },
};

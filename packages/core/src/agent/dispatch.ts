import { z } from "zod";
import { extractPatchFromShellCommand } from "../patch/shell-form.js";
import { resolveInsideWorkspace } from "../paths.js";
import { FatalToolError, ToolError } from "../tools/errors.js";
import type { Tool, ToolContext } from "../tools/types.js";

export interface ToolCall {
  callId: string;
  name: string;
  arguments: string;
}

/**
 * Runs one tool call and returns text for the model: a bad call (unknown tool, arguments that
 * are not JSON or do not fit the schema, a ToolError or any other error a tool throws) becomes
 * a clear message the model can act on, and the task goes on. Only a FatalToolError (and a
 * cancelled run's error) propagates, for the loop to end the task.
 */
export async function dispatchToolCall(
  call: ToolCall,
  tools: ReadonlyMap<string, Tool>,
  offered: readonly string[],
  context: ToolContext,
): Promise<string> {
  const tool = tools.get(call.name);
  if (!tool) {
    return `Unknown tool "${call.name}". Available tools: ${offered.join(", ")}.`;
  }
  let parsedJson: unknown;
  try {
    parsedJson = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch (error) {
    return `Invalid arguments for ${call.name}: not valid JSON (${(error as Error).message}). Send one JSON object that matches the tool's schema.`;
  }
  const parsed = tool.schema.safeParse(parsedJson);
  if (!parsed.success) {
    return `Invalid arguments for ${call.name}:\n${z.prettifyError(parsed.error)}`;
  }
  const routed = routeShellPatch(tool, parsed.data, tools);
  try {
    const result = routed
      ? await routed.tool.run(routed.args, patchContext(context, routed.workdir, parsed.data))
      : await tool.run(parsed.data, context);
    return result.output;
  } catch (error) {
    if (context.signal.aborted) throw error;
    // Typed failures (tools/errors.ts): the model acts on a ToolError; a FatalToolError ends the task.
    if (error instanceof FatalToolError) throw error;
    if (error instanceof ToolError) return error.message;
    return `${call.name} failed: ${(error as Error).message}`;
  }
}

/**
 * Models trained on Codex often send `apply_patch <<'EOF' … EOF` through the shell; such a
 * command goes to the patch engine (which enforces the workspace boundary) instead.
 */
function routeShellPatch(
  tool: Tool,
  args: unknown,
  tools: ReadonlyMap<string, Tool>,
): { tool: Tool; args: { input: string }; workdir?: string } | null {
  if (tool.name !== "shell") return null;
  const command = (args as { command?: unknown }).command;
  if (!Array.isArray(command)) return null;
  const extracted = extractPatchFromShellCommand(command as string[]);
  const applyPatch = tools.get("apply_patch");
  if (!extracted || !applyPatch) return null;
  return { tool: applyPatch, args: { input: extracted.patch }, workdir: extracted.workdir };
}

/** `cd dir && apply_patch …` and the shell call's own workdir both move where patch paths start. */
function patchContext(context: ToolContext, cdDir: string | undefined, shellArgs: unknown): ToolContext {
  const workdir = (shellArgs as { workdir?: string }).workdir;
  let cwd = context.cwd ?? context.workspace;
  for (const dir of [workdir, cdDir]) {
    if (dir) cwd = resolveInsideWorkspace(context.workspace, dir, { base: cwd });
  }
  return { ...context, cwd };
}

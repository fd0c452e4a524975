/**
 * The event stream of `codex exec --json`, as Codex defines it: thread, turn and item events with
 * Codex's item kinds. Quire's stream is this one plus the additions in events.ts, so consumers
 * written for Codex's stream keep working. Change nothing here without Codex changing it first.
 */
import { z } from "zod";

export const commandStatusSchema = z.enum(["in_progress", "completed", "failed", "declined"]);

export const agentMessageItem = z.object({ id: z.string(), type: z.literal("agent_message"), text: z.string() });

export const reasoningItem = z.object({ id: z.string(), type: z.literal("reasoning"), text: z.string() });

export const codexCommandExecutionItem = z.object({
  id: z.string(),
  type: z.literal("command_execution"),
  command: z.string(),
  aggregated_output: z.string(),
  exit_code: z.number().int().nullable(),
  status: commandStatusSchema,
});

export const codexFileChangeItem = z.object({
  id: z.string(),
  type: z.literal("file_change"),
  changes: z.array(z.object({ path: z.string(), kind: z.enum(["add", "delete", "update"]) })),
  status: z.enum(["in_progress", "completed", "failed"]),
});

/** A tool of an MCP server called by the agent. */
export const mcpToolCallItem = z.object({
  id: z.string(),
  type: z.literal("mcp_tool_call"),
  server: z.string(),
  tool: z.string(),
  arguments: z.unknown().optional(),
  result: z.object({ content: z.array(z.unknown()), structured_content: z.unknown().optional() }).nullish(),
  error: z.object({ message: z.string() }).nullish(),
  status: z.enum(["in_progress", "completed", "failed"]),
});

export const webSearchItem = z.object({ id: z.string(), type: z.literal("web_search"), query: z.string() });

export const todoListItem = z.object({
  id: z.string(),
  type: z.literal("todo_list"),
  items: z.array(z.object({ text: z.string(), completed: z.boolean() })),
});

/** A non-fatal error the agent met (the turn goes on). */
export const errorItem = z.object({ id: z.string(), type: z.literal("error"), message: z.string() });

/** Codex's turn usage. */
export const codexUsageSchema = z.object({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
});

export const threadStartedEvent = z.object({ type: z.literal("thread.started"), thread_id: z.string() });
export const turnStartedEvent = z.object({ type: z.literal("turn.started") });
export const turnFailedEvent = z.object({ type: z.literal("turn.failed"), error: z.object({ message: z.string() }) });
/** A fatal error of the stream. */
export const streamErrorEvent = z.object({ type: z.literal("error"), message: z.string() });

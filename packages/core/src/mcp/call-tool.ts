/** One call of an MCP server's tool: an `mcp_tool_call` item, and a bounded output for the model. */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ThreadItem } from "../events.js";
import type { ToolContext, ToolResult } from "../tools/types.js";

type McpItem = Extract<ThreadItem, { type: "mcp_tool_call" }>;

/** Head and tail of a text over `maxBytes`, with the cut said in the middle (like command output). */
export function boundText(text: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return text;
  const half = Math.floor(maxBytes / 2);
  const buffer = Buffer.from(text);
  const head = buffer.subarray(0, half).toString("utf8");
  const tail = buffer.subarray(bytes - half).toString("utf8");
  return `${head}\n… ${bytes - 2 * half} bytes omitted …\n${tail}`;
}

interface ContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/** Text parts as they are (bounded); other parts (images, resources) named, never their bytes. */
function boundedContent(parts: ContentPart[], maxBytes: number): ContentPart[] {
  return parts.map((part) =>
    part.type === "text" && typeof part.text === "string"
      ? { type: "text", text: boundText(part.text, maxBytes) }
      : { type: part.type },
  );
}

function textOf(parts: ContentPart[]): string {
  return parts.map((part) => (part.type === "text" ? (part.text ?? "") : `[${part.type} content]`)).join("\n");
}

export async function mcpCallTool(
  client: Client,
  call: { server: string; tool: string; args: Record<string, unknown> },
  context: ToolContext,
): Promise<ToolResult> {
  const item: McpItem = {
    id: context.nextItemId(),
    type: "mcp_tool_call",
    server: call.server,
    tool: call.tool,
    arguments: call.args,
    result: null,
    error: null,
    status: "in_progress",
  };
  context.emitItem("started", item);
  const maxBytes = context.limits.maxOutputBytes;
  try {
    const answer = await client.callTool({ name: call.tool, arguments: call.args }, undefined, {
      timeout: context.limits.defaultTimeoutMs,
      signal: context.signal,
    });
    const parts = boundedContent((answer.content as ContentPart[] | undefined) ?? [], maxBytes);
    const output = boundText(textOf(parts), maxBytes);
    if (answer.isError) {
      context.emitItem("completed", { ...item, error: { message: output }, status: "failed" });
      return { output: `MCP tool ${call.server}/${call.tool} failed: ${output}` };
    }
    // Structured content is kept only while it fits the bound: it cannot be cut and stay JSON.
    const structured =
      answer.structuredContent !== undefined && Buffer.byteLength(JSON.stringify(answer.structuredContent)) <= maxBytes
        ? { structured_content: answer.structuredContent }
        : {};
    context.emitItem("completed", { ...item, result: { content: parts, ...structured }, status: "completed" });
    return { output };
  } catch (error) {
    const message = (error as Error).message;
    context.emitItem("completed", { ...item, error: { message }, status: "failed" });
    return { output: `MCP tool ${call.server}/${call.tool} failed: ${message}` };
  }
}

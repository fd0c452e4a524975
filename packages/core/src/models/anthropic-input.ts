/** Quire's conversation and tools in the Anthropic Messages API's wire format, and the usage back. */
import type Anthropic from "@anthropic-ai/sdk";
import type { ConversationItem, ToolSpec, Usage } from "./types.js";

type Block = Anthropic.Messages.ContentBlockParam;
type Role = "user" | "assistant";
export type AnthropicMessage = { role: Role; content: Block[] };

export const ANTHROPIC_PROVIDER = "anthropic";
const EPHEMERAL = { type: "ephemeral" } as const;

function isThinkingBlock(
  raw: unknown,
): raw is Anthropic.Messages.ThinkingBlockParam | Anthropic.Messages.RedactedThinkingBlockParam {
  const type = typeof raw === "object" && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return type === "thinking" || type === "redacted_thinking";
}

/** tool_use input must be an object; arguments that are not one are kept visible rather than lost. */
function toolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { _raw_arguments: args };
}

function toBlocks(item: ConversationItem): [Role, Block[]] | undefined {
  switch (item.type) {
    case "message": {
      const images: Block[] = (item.images ?? []).map((image) => ({
        type: "image",
        source: { type: "base64", media_type: image.mediaType, data: image.data },
      }));
      // The API rejects empty text blocks.
      const blocks: Block[] = item.text ? [{ type: "text", text: item.text }, ...images] : images;
      return blocks.length > 0 ? [item.role, blocks] : undefined;
    }
    case "reasoning":
      // Thinking is replayed verbatim (its signature is checked); other providers' reasoning is dropped.
      return item.provider === ANTHROPIC_PROVIDER && isThinkingBlock(item.raw) ? ["assistant", [item.raw]] : undefined;
    case "tool_call":
      return ["assistant", [{ type: "tool_use", id: item.callId, name: item.name, input: toolInput(item.arguments) }]];
    case "tool_result":
      return ["user", [{ type: "tool_result", tool_use_id: item.callId, content: item.output }]];
  }
}

/**
 * Consecutive items of one role are merged so roles alternate (and the results of parallel tool
 * calls share one user message). The last block is marked as a prompt-cache breakpoint.
 */
export function toAnthropicMessages(items: ConversationItem[]): AnthropicMessage[] {
  const messages: AnthropicMessage[] = [];
  for (const item of items) {
    const mapped = toBlocks(item);
    if (!mapped) continue;
    const [role, blocks] = mapped;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  }
  const lastBlock = messages.at(-1)?.content.at(-1);
  // Thinking blocks cannot carry cache_control.
  if (lastBlock && lastBlock.type !== "thinking" && lastBlock.type !== "redacted_thinking") {
    Object.assign(lastBlock, { cache_control: EPHEMERAL });
  }
  return messages;
}

export function toAnthropicSystem(instructions: string): Anthropic.Messages.TextBlockParam[] | undefined {
  return instructions ? [{ type: "text", text: instructions, cache_control: EPHEMERAL }] : undefined;
}

export function toAnthropicTools(tools: ToolSpec[]): Anthropic.Messages.Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { ...tool.parameters, type: "object" },
  }));
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; Quire's input is the total. */
export interface AnthropicUsageParts {
  input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** message_delta carries the running output total and repeats the input counts (or null). */
export function mergeAnthropicUsage(start: AnthropicUsageParts, delta: AnthropicUsageParts): AnthropicUsageParts {
  return {
    input_tokens: delta.input_tokens ?? start.input_tokens,
    cache_read_input_tokens: delta.cache_read_input_tokens ?? start.cache_read_input_tokens,
    cache_creation_input_tokens: delta.cache_creation_input_tokens ?? start.cache_creation_input_tokens,
    output_tokens: delta.output_tokens ?? start.output_tokens,
    output_tokens_details: delta.output_tokens_details ?? start.output_tokens_details,
  };
}

export function fromAnthropicUsage(usage: AnthropicUsageParts): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  return {
    input_tokens: (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0),
    cached_input_tokens: cacheRead,
    output_tokens: usage.output_tokens ?? 0,
    reasoning_output_tokens: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
}

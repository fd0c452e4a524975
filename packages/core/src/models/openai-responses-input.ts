/** Quire's conversation and tools in the OpenAI Responses API's wire format, and back. */
import type OpenAI from "openai";
import { imageDataUrl } from "./images.js";
import type { ConversationItem, ToolSpec, Usage } from "./types.js";

type InputItem = OpenAI.Responses.ResponseInputItem;
type OutputItem = OpenAI.Responses.ResponseOutputItem;

export const OPENAI_PROVIDER = "openai";

function isReplayableReasoning(raw: unknown): raw is OpenAI.Responses.ResponseReasoningItem {
  if (typeof raw !== "object" || raw === null) return false;
  const item = raw as Partial<OpenAI.Responses.ResponseReasoningItem>;
  // With `store: false` the server keeps nothing, so an item is only usable with its encrypted content.
  return item.type === "reasoning" && typeof item.encrypted_content === "string";
}

function assistantMessage(text: string): InputItem {
  const message: Omit<OpenAI.Responses.ResponseOutputMessage, "id"> = {
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text, annotations: [] }],
  };
  // The API takes earlier output without its server-assigned id (nothing is stored); the SDK type wants one.
  return message as OpenAI.Responses.ResponseOutputMessage;
}

function userMessage(item: Extract<ConversationItem, { type: "message" }>): InputItem {
  const images: OpenAI.Responses.ResponseInputImage[] = (item.images ?? []).map((image) => ({
    type: "input_image",
    image_url: imageDataUrl(image),
    detail: "auto",
  }));
  return { type: "message", role: "user", content: [{ type: "input_text", text: item.text }, ...images] };
}

export function toResponsesInput(items: ConversationItem[]): InputItem[] {
  const input: InputItem[] = [];
  for (const item of items) {
    switch (item.type) {
      case "message":
        input.push(item.role === "user" ? userMessage(item) : assistantMessage(item.text));
        break;
      case "reasoning":
        // Other providers' reasoning (and summaries without encrypted content) cannot be replayed.
        if (item.provider === OPENAI_PROVIDER && isReplayableReasoning(item.raw)) input.push(item.raw);
        break;
      case "tool_call":
        input.push({ type: "function_call", call_id: item.callId, name: item.name, arguments: item.arguments });
        break;
      case "tool_result":
        input.push({ type: "function_call_output", call_id: item.callId, output: item.output });
        break;
    }
  }
  return input;
}

export function toResponsesTools(tools: ToolSpec[]): OpenAI.Responses.FunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    // Strict mode would require every property to be listed as required; our schemas have optional ones.
    strict: false,
  }));
}

/** The conversation item an output item becomes, or undefined for kinds we never request. */
export function fromOutputItem(item: OutputItem): ConversationItem | undefined {
  switch (item.type) {
    case "message": {
      const text = item.content.map((part) => (part.type === "output_text" ? part.text : part.refusal)).join("");
      return { type: "message", role: "assistant", text };
    }
    case "reasoning": {
      const parts = item.summary.length > 0 ? item.summary : (item.content ?? []);
      return { type: "reasoning", text: parts.map((p) => p.text).join("\n\n"), raw: item, provider: OPENAI_PROVIDER };
    }
    case "function_call":
      return { type: "tool_call", callId: item.call_id, name: item.name, arguments: item.arguments };
    default:
      return undefined;
  }
}

export function fromResponsesUsage(usage: OpenAI.Responses.ResponseUsage | null | undefined): Usage {
  return {
    input_tokens: usage?.input_tokens ?? 0,
    cached_input_tokens: usage?.input_tokens_details?.cached_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? 0,
    reasoning_output_tokens: usage?.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

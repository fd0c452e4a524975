/** Quire's conversation and tools as OpenAI Chat Completions messages, and the usage back. */
import type OpenAI from "openai";
import { imageDataUrl } from "./images.js";
import type { ConversationItem, ToolSpec, Usage } from "./types.js";

type Message = OpenAI.Chat.ChatCompletionMessageParam;
type AssistantMessage = OpenAI.Chat.ChatCompletionAssistantMessageParam;

/** Plain text, or text and `image_url` parts when the message carries images. */
function userContent(
  item: Extract<ConversationItem, { type: "message" }>,
): string | OpenAI.Chat.ChatCompletionContentPart[] {
  if (!item.images?.length) return item.text;
  return [
    { type: "text", text: item.text },
    ...item.images.map((image) => ({ type: "image_url" as const, image_url: { url: imageDataUrl(image) } })),
  ];
}

export function toChatMessages(instructions: string, items: ConversationItem[]): Message[] {
  const messages: Message[] = instructions ? [{ role: "system", content: instructions }] : [];
  // A model turn (text, then tool calls) becomes one assistant message, as the servers produced it.
  const openAssistant = (): AssistantMessage => {
    const last = messages.at(-1);
    if (last?.role === "assistant") return last;
    const created: AssistantMessage = { role: "assistant", content: null };
    messages.push(created);
    return created;
  };
  for (const item of items) {
    switch (item.type) {
      case "message":
        if (item.role === "user") {
          messages.push({ role: "user", content: userContent(item) });
        } else {
          const last = messages.at(-1);
          // Text after tool calls would be reordered if merged, so it starts a new message.
          if (last?.role === "assistant" && !last.tool_calls && !last.content) last.content = item.text;
          else messages.push({ role: "assistant", content: item.text });
        }
        break;
      case "reasoning":
        // Servers that stream reasoning do not accept it back; it is kept for the transcript only.
        break;
      case "tool_call": {
        const assistant = openAssistant();
        assistant.tool_calls = [
          ...(assistant.tool_calls ?? []),
          { id: item.callId, type: "function", function: { name: item.name, arguments: item.arguments } },
        ];
        break;
      }
      case "tool_result":
        messages.push({ role: "tool", tool_call_id: item.callId, content: item.output });
        break;
    }
  }
  return messages;
}

export function toChatTools(tools: ToolSpec[]): OpenAI.Chat.ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

export function fromChatUsage(usage: OpenAI.CompletionUsage | null | undefined): Usage {
  return {
    input_tokens: usage?.prompt_tokens ?? 0,
    cached_input_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    output_tokens: usage?.completion_tokens ?? 0,
    reasoning_output_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

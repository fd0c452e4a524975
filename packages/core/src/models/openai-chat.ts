/**
 * Provider "openai-chat": any OpenAI-compatible Chat Completions server (Ollama, vLLM, llama.cpp,
 * LM Studio, OpenRouter), streamed. Only widely supported request fields are sent.
 */
import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import { fromChatUsage, toChatMessages, toChatTools } from "./openai-chat-input.js";
import { ModelError } from "./retry.js";
import { OPENAI_SDK_ERRORS, openAIClient } from "./openai-sdk.js";
import { RetryingModelClient } from "./retrying-client.js";
import type { ResolvedModelSettings } from "./settings.js";
import type { ConversationItem, ModelRequest, ModelResponse, ModelStreamEvent, Usage } from "./types.js";
import { emptyUsage } from "./types.js";

type Delta = OpenAI.Chat.ChatCompletionChunk.Choice.Delta & {
  /** vLLM, DeepSeek and llama.cpp stream reasoning here... */
  reasoning_content?: string | null;
  /** ...Ollama and OpenRouter here. */
  reasoning?: string | null;
};

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

export class OpenAIChatClient extends RetryingModelClient {
  readonly provider = "openai-chat" as const;
  protected readonly sdkErrors = OPENAI_SDK_ERRORS;
  private readonly client: OpenAI;

  constructor(settings: ResolvedModelSettings) {
    super(settings);
    this.client = openAIClient(settings);
  }

  private body(request: ModelRequest): OpenAI.Chat.ChatCompletionCreateParamsStreaming {
    const { settings } = this;
    return {
      model: settings.model,
      messages: toChatMessages(request.instructions, request.items),
      stream: true,
      stream_options: { include_usage: true },
      // Some servers reject an empty tools array.
      ...(request.tools.length > 0 ? { tools: toChatTools(request.tools) } : {}),
      ...(settings.maxOutputTokens ? { max_tokens: settings.maxOutputTokens } : {}),
      ...(settings.reasoningEffort
        ? // Passed through unchecked: servers accept their own effort levels.
          { reasoning_effort: settings.reasoningEffort as OpenAI.ReasoningEffort }
        : {}),
    };
  }

  protected async attempt(
    request: ModelRequest,
    onEvent: ((event: ModelStreamEvent) => void) | undefined,
  ): Promise<ModelResponse> {
    const stream = await this.client.chat.completions.create(this.body(request), { signal: request.signal });
    let text = "";
    let reasoning = "";
    const calls = new Map<number, PartialToolCall>();
    let finished = false;
    let usage: Usage = emptyUsage(); // some servers never send usage
    for await (const chunk of stream) {
      if (chunk.usage) usage = fromChatUsage(chunk.usage);
      const choice = chunk.choices[0];
      if (!choice) continue; // the final usage chunk has no choices
      if (choice.finish_reason) finished = true;
      const delta: Delta = choice.delta ?? {};
      const thought = delta.reasoning_content ?? delta.reasoning;
      if (thought) {
        reasoning += thought;
        onEvent?.({ type: "reasoning_delta", delta: thought });
      }
      if (delta.content) {
        text += delta.content;
        onEvent?.({ type: "text_delta", delta: delta.content });
      }
      for (const [position, part] of (delta.tool_calls ?? []).entries()) {
        // id and name arrive in a call's first delta, its arguments in pieces after; a few servers omit `index`.
        const index = part.index ?? position;
        let call = calls.get(index);
        if (!call) {
          call = { id: part.id || `call_${randomUUID()}`, name: part.function?.name ?? "", arguments: "" };
          calls.set(index, call);
          if (call.name) onEvent?.({ type: "tool_call_started", name: call.name });
        } else if (!call.name && part.function?.name) {
          call.name = part.function.name;
          onEvent?.({ type: "tool_call_started", name: call.name });
        }
        call.arguments += part.function?.arguments ?? "";
      }
    }
    if (!finished) {
      throw new ModelError("The response stream ended before a finish_reason", { retryable: true });
    }
    const items: ConversationItem[] = [];
    if (reasoning) items.push({ type: "reasoning", text: reasoning, provider: this.provider });
    if (text) items.push({ type: "message", role: "assistant", text });
    for (const [, call] of [...calls].sort(([a], [b]) => a - b)) {
      items.push({ type: "tool_call", callId: call.id, name: call.name, arguments: call.arguments });
    }
    return { items, usage };
  }
}

/** Provider "anthropic": the Anthropic Messages API, streamed, with prompt caching and extended thinking. */
import Anthropic from "@anthropic-ai/sdk";
import {
  ANTHROPIC_PROVIDER,
  type AnthropicUsageParts,
  fromAnthropicUsage,
  mergeAnthropicUsage,
  toAnthropicMessages,
  toAnthropicSystem,
  toAnthropicTools,
} from "./anthropic-input.js";
import { ModelError } from "./retry.js";
import { RetryingModelClient } from "./retrying-client.js";
import type { ResolvedModelSettings } from "./settings.js";
import type { ConversationItem, ModelRequest, ModelResponse, ModelStreamEvent } from "./types.js";

/**
 * Output tokens per response when settings.maxOutputTokens is unset. The API requires a value;
 * 8192 fits every current Claude model and leaves room for a large patch.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 8192;

/** A content block while it streams. */
type OpenBlock =
  | { kind: "text"; text: string }
  | { kind: "thinking"; thinking: string; signature: string }
  | { kind: "redacted_thinking"; data: string }
  | { kind: "tool_use"; id: string; name: string; json: string; input: unknown };

function finish(block: OpenBlock): ConversationItem | undefined {
  switch (block.kind) {
    case "text":
      return block.text ? { type: "message", role: "assistant", text: block.text } : undefined;
    case "thinking": {
      const raw = { type: "thinking", thinking: block.thinking, signature: block.signature };
      return { type: "reasoning", text: block.thinking, raw, provider: ANTHROPIC_PROVIDER };
    }
    case "redacted_thinking":
      return {
        type: "reasoning",
        text: "",
        raw: { type: "redacted_thinking", data: block.data },
        provider: ANTHROPIC_PROVIDER,
      };
    case "tool_use":
      // The streamed JSON text is kept as-is, so malformed arguments reach the tool layer verbatim.
      return {
        type: "tool_call",
        callId: block.id,
        name: block.name,
        arguments: block.json || JSON.stringify(block.input ?? {}),
      };
  }
}

function openBlock(block: Anthropic.Messages.RawContentBlockStartEvent["content_block"]): OpenBlock | undefined {
  switch (block.type) {
    case "text":
      return { kind: "text", text: block.text };
    case "thinking":
      return { kind: "thinking", thinking: block.thinking, signature: block.signature };
    case "redacted_thinking":
      return { kind: "redacted_thinking", data: block.data };
    case "tool_use":
      return { kind: "tool_use", id: block.id, name: block.name, json: "", input: block.input };
    default:
      return undefined; // server tools are never offered
  }
}

export class AnthropicClient extends RetryingModelClient {
  readonly provider = "anthropic" as const;
  protected readonly sdkErrors = { APIError: Anthropic.APIError, APIConnectionError: Anthropic.APIConnectionError };
  private readonly client: Anthropic;

  constructor(settings: ResolvedModelSettings) {
    super(settings);
    this.client = new Anthropic({
      apiKey: settings.apiKey,
      authToken: null, // never pick up ANTHROPIC_AUTH_TOKEN behind the caller's back
      // ANTHROPIC_BASE_URL is the host root (the SDK adds /v1); accept it with /v1 too.
      baseURL: settings.baseUrl.replace(/\/v1\/?$/, ""),
      timeout: settings.timeoutMs,
      maxRetries: 0, // retry.ts retries the whole stream
      // The SDK prints to the console when a stream cannot be parsed; the error we raise says it once.
      logLevel: "off",
    });
  }

  private body(request: ModelRequest): Anthropic.Messages.MessageCreateParamsStreaming {
    const budget = this.settings.thinkingBudget ?? 0;
    const maxTokens = this.settings.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    const system = toAnthropicSystem(request.instructions);
    return {
      model: this.settings.model,
      // Thinking counts toward max_tokens, so the budget comes on top of the answer's allowance.
      max_tokens: maxTokens + Math.max(budget, 0),
      messages: toAnthropicMessages(request.items),
      stream: true,
      ...(system ? { system } : {}),
      ...(request.tools.length > 0 ? { tools: toAnthropicTools(request.tools) } : {}),
      ...(budget > 0 ? { thinking: { type: "enabled", budget_tokens: budget } } : {}),
    };
  }

  protected async attempt(
    request: ModelRequest,
    onEvent: ((event: ModelStreamEvent) => void) | undefined,
  ): Promise<ModelResponse> {
    const stream = await this.client.messages.create(this.body(request), { signal: request.signal });
    const open = new Map<number, OpenBlock>();
    const items: ConversationItem[] = [];
    let usage: AnthropicUsageParts = {};
    let stopped = false;
    for await (const event of stream) {
      switch (event.type) {
        case "message_start":
          usage = event.message.usage;
          break;
        case "content_block_start": {
          const block = openBlock(event.content_block);
          if (block) open.set(event.index, block);
          if (block?.kind === "tool_use") onEvent?.({ type: "tool_call_started", name: block.name });
          break;
        }
        case "content_block_delta": {
          const block = open.get(event.index);
          const { delta } = event;
          if (block?.kind === "text" && delta.type === "text_delta") {
            block.text += delta.text;
            onEvent?.({ type: "text_delta", delta: delta.text });
          } else if (block?.kind === "thinking" && delta.type === "thinking_delta") {
            block.thinking += delta.thinking;
            onEvent?.({ type: "reasoning_delta", delta: delta.thinking });
          } else if (block?.kind === "thinking" && delta.type === "signature_delta") {
            block.signature += delta.signature;
          } else if (block?.kind === "tool_use" && delta.type === "input_json_delta") {
            block.json += delta.partial_json;
          }
          break;
        }
        case "content_block_stop": {
          const block = open.get(event.index);
          open.delete(event.index);
          const item = block && finish(block);
          if (item) items.push(item);
          break;
        }
        case "message_delta":
          usage = mergeAnthropicUsage(usage, event.usage);
          break;
        case "message_stop":
          stopped = true;
          break;
      }
    }
    if (!stopped) throw new ModelError("The response stream ended before message_stop", { retryable: true });
    return { items, usage: fromAnthropicUsage(usage) };
  }
}

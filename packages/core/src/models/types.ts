/**
 * The provider-neutral conversation and the one interface every model provider implements.
 * The agent loop only speaks these types; each provider translates them to its wire format.
 */

import type { ImageInput } from "./images.js";

/** One entry of the conversation, in the order the model saw it. */
export type ConversationItem =
  /** `images`: only on user messages (a prompt's attachments, or what view_image showed). */
  | { type: "message"; role: "user" | "assistant"; text: string; images?: ImageInput[] }
  | {
      type: "reasoning";
      /** The readable summary (OpenAI) or thinking text (Anthropic); may be empty. */
      text: string;
      /**
       * The provider's own item, replayed verbatim on the next request so that encrypted
       * reasoning (OpenAI `encrypted_content`) or thinking signatures (Anthropic) survive.
       */
      raw?: unknown;
      /** Which provider produced `raw`; other providers drop the item when replaying. */
      provider?: string;
    }
  | { type: "tool_call"; callId: string; name: string; arguments: string }
  | { type: "tool_result"; callId: string; output: string };

/** A function tool offered to the model: a JSON Schema for its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export const emptyUsage = (): Usage => ({
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  reasoning_output_tokens: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    reasoning_output_tokens: a.reasoning_output_tokens + b.reasoning_output_tokens,
  };
}

export interface ModelRequest {
  /** The system prompt. */
  instructions: string;
  items: ConversationItem[];
  tools: ToolSpec[];
  /** Stable per task so that provider prompt caches hit (OpenAI `prompt_cache_key`). */
  promptCacheKey?: string;
  signal?: AbortSignal;
}

/** Streamed while a response is being produced, for live progress. */
export type ModelStreamEvent =
  | { type: "text_delta"; delta: string }
  | { type: "reasoning_delta"; delta: string }
  | { type: "tool_call_started"; name: string }
  | { type: "retrying"; attempt: number; delayMs: number; reason: string };

export interface ModelResponse {
  /** What the model produced, in order: reasoning, messages, tool calls. */
  items: ConversationItem[];
  usage: Usage;
}

export type ProviderName = "openai" | "openai-chat" | "anthropic";

export interface ModelClient {
  readonly provider: ProviderName;
  readonly model: string;
  /** Calls the model once (retrying transient faults) and returns the whole response. */
  complete(request: ModelRequest, onEvent?: (event: ModelStreamEvent) => void): Promise<ModelResponse>;
}

export interface ModelSettings {
  provider: ProviderName;
  model: string;
  baseUrl?: string;
  apiKey?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx and dropped connections. */
  maxRetries?: number;
  /** Reasoning effort for models that take one (OpenAI "low"|"medium"|"high"). */
  reasoningEffort?: string;
  /** Anthropic extended thinking budget; 0 or unset disables thinking. */
  thinkingBudget?: number;
  /** Maximum output tokens per response. */
  maxOutputTokens?: number;
  /** False for a model configured as text-only (config.toml `image_input = false`): no image reaches it. */
  imageInput?: boolean;
}

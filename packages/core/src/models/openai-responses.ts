/** Provider "openai": the OpenAI Responses API, streamed, stateless (`store: false`). */
import OpenAI from "openai";
import { streamFailure } from "./model-error.js";
import { fromOutputItem, fromResponsesUsage, toResponsesInput, toResponsesTools } from "./openai-responses-input.js";
import { ModelError } from "./retry.js";
import { OPENAI_SDK_ERRORS, openAIClient } from "./openai-sdk.js";
import { RetryingModelClient } from "./retrying-client.js";
import type { ResolvedModelSettings } from "./settings.js";
import type { ConversationItem, ModelRequest, ModelResponse, ModelStreamEvent, Usage } from "./types.js";

/**
 * Models that reject `include: ["reasoning.encrypted_content"]` with a 400 ("Encrypted content is
 * not supported with this model"): the non-reasoning GPT-4 family and the "-chat" variants.
 */
export function supportsEncryptedReasoning(model: string): boolean {
  return !/^(gpt-4|gpt-3\.5|chatgpt)|-chat/.test(model.replace(/^.*\//, ""));
}

export class OpenAIResponsesClient extends RetryingModelClient {
  readonly provider = "openai" as const;
  protected readonly sdkErrors = OPENAI_SDK_ERRORS;
  private readonly client: OpenAI;

  constructor(settings: ResolvedModelSettings) {
    super(settings);
    this.client = openAIClient(settings);
  }

  private body(request: ModelRequest): OpenAI.Responses.ResponseCreateParamsStreaming {
    const { settings } = this;
    return {
      model: settings.model,
      instructions: request.instructions,
      input: toResponsesInput(request.items),
      tools: toResponsesTools(request.tools),
      tool_choice: "auto",
      parallel_tool_calls: true,
      store: false,
      stream: true,
      include: supportsEncryptedReasoning(settings.model) ? ["reasoning.encrypted_content"] : [],
      ...(request.promptCacheKey ? { prompt_cache_key: request.promptCacheKey } : {}),
      ...(settings.reasoningEffort
        ? // Passed through unchecked so that effort levels newer than this SDK keep working.
          { reasoning: { effort: settings.reasoningEffort as OpenAI.ReasoningEffort, summary: "auto" } }
        : {}),
      ...(settings.maxOutputTokens ? { max_output_tokens: settings.maxOutputTokens } : {}),
    };
  }

  protected async attempt(
    request: ModelRequest,
    onEvent: ((event: ModelStreamEvent) => void) | undefined,
  ): Promise<ModelResponse> {
    const stream = await this.client.responses.create(this.body(request), { signal: request.signal });
    const outputs: { index: number; item: ConversationItem }[] = [];
    let usage: Usage | undefined;
    for await (const event of stream) {
      switch (event.type) {
        case "response.output_text.delta":
          onEvent?.({ type: "text_delta", delta: event.delta });
          break;
        case "response.reasoning_summary_part.added":
          // Summary parts are separate paragraphs; keep the live text readable.
          if (event.summary_index > 0) onEvent?.({ type: "reasoning_delta", delta: "\n\n" });
          break;
        case "response.reasoning_summary_text.delta":
          onEvent?.({ type: "reasoning_delta", delta: event.delta });
          break;
        case "response.output_item.added":
          if (event.item.type === "function_call") onEvent?.({ type: "tool_call_started", name: event.item.name });
          break;
        case "response.output_item.done": {
          const item = fromOutputItem(event.item);
          if (item) outputs.push({ index: event.output_index, item });
          break;
        }
        case "response.completed":
        case "response.incomplete": // e.g. max_output_tokens reached: keep what was produced
          usage = fromResponsesUsage(event.response.usage);
          break;
        case "response.failed": {
          const error = event.response.error;
          throw streamFailure(this.provider, error?.code, error?.message ?? "response failed");
        }
        case "error":
          throw streamFailure(this.provider, event.code, event.message);
      }
    }
    if (!usage) {
      throw new ModelError("The response stream ended before response.completed", { retryable: true });
    }
    outputs.sort((a, b) => a.index - b.index);
    return { items: outputs.map((o) => o.item), usage };
  }
}

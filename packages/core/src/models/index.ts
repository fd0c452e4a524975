/** The model layer: one interface, three providers, our own retries. */
import { AnthropicClient } from "./anthropic.js";
import { OpenAIChatClient } from "./openai-chat.js";
import { OpenAIResponsesClient } from "./openai-responses.js";
import { resolveSettings } from "./settings.js";
import type { ModelClient, ModelSettings } from "./types.js";

export { DEFAULT_MAX_OUTPUT_TOKENS as ANTHROPIC_DEFAULT_MAX_OUTPUT_TOKENS } from "./anthropic.js";
export { contextWindowFor, DEFAULT_CONTEXT_WINDOW, knownContextWindows } from "./context-window.js";
export { AbortError, ModelError, parseRetryAfter } from "./model-error.js";
export { backoffDelay, DEFAULT_MAX_RETRIES, withRetries } from "./retry.js";
export { DEFAULT_TIMEOUT_MS, type ResolvedModelSettings, resolveSettings } from "./settings.js";
export * from "./types.js";

/**
 * Builds the client for settings.provider. Missing baseUrl/apiKey come from OPENAI_BASE_URL /
 * OPENAI_API_KEY or ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY; "openai-chat" runs without a key.
 */
export function createModelClient(
  settings: ModelSettings,
  env: Record<string, string | undefined> = process.env,
): ModelClient {
  const resolved = resolveSettings(settings, env);
  switch (resolved.provider) {
    case "openai":
      return new OpenAIResponsesClient(resolved);
    case "openai-chat":
      return new OpenAIChatClient(resolved);
    case "anthropic":
      return new AnthropicClient(resolved);
  }
}

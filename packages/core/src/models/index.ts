/** The model layer: one interface, three providers, our own retries. */
import { resolveSettings } from "./settings.js";
import type { ModelClient, ModelRequest, ModelResponse, ModelSettings, ModelStreamEvent } from "./types.js";

export { contextWindowFor, DEFAULT_CONTEXT_WINDOW, knownContextWindows } from "./context-window.js";
export { AbortError, ModelError, parseRetryAfter } from "./model-error.js";
export { backoffDelay, DEFAULT_MAX_RETRIES, withRetries } from "./retry.js";
export { DEFAULT_TIMEOUT_MS, type ResolvedModelSettings, resolveSettings } from "./settings.js";
export { missingKeyMessage, type ModelReadiness, modelReadiness } from "./readiness.js";
export * from "./types.js";
export * from "./images.js";

type ResolvedSettings = ReturnType<typeof resolveSettings>;

/** Imports only the chosen provider's module (and so only its SDK): each SDK costs 80–200 ms to load. */
async function loadProvider(settings: ResolvedSettings): Promise<ModelClient> {
  switch (settings.provider) {
    case "openai":
      return new (await import("./openai-responses.js")).OpenAIResponsesClient(settings);
    case "openai-chat":
      return new (await import("./openai-chat.js")).OpenAIChatClient(settings);
    case "anthropic":
      return new (await import("./anthropic.js")).AnthropicClient(settings);
  }
}

/**
 * Builds the client for settings.provider. Missing baseUrl/apiKey come from OPENAI_BASE_URL /
 * OPENAI_API_KEY or ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY; "openai-chat" runs without a key.
 * Settings are checked now; the provider's SDK loads in the background.
 */
export function createModelClient(
  settings: ModelSettings,
  env: Record<string, string | undefined> = process.env,
): ModelClient {
  const resolved = resolveSettings(settings, env);
  // Loading starts now, so it overlaps with the task's preparation instead of delaying the first call.
  const client = loadProvider(resolved);
  client.catch(() => undefined); // reported by complete(), not as an unhandled rejection
  return {
    provider: resolved.provider,
    model: resolved.model,
    async complete(request: ModelRequest, onEvent?: (event: ModelStreamEvent) => void): Promise<ModelResponse> {
      return (await client).complete(request, onEvent);
    },
  };
}

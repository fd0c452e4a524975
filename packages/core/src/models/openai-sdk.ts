import OpenAI from "openai";
import type { SdkErrorClasses } from "./model-error.js";
import type { ResolvedModelSettings } from "./settings.js";

/** The OpenAI SDK's error classes, for the retry loop's classification. */
export const OPENAI_SDK_ERRORS: SdkErrorClasses = {
  APIError: OpenAI.APIError,
  APIConnectionError: OpenAI.APIConnectionError,
};

/** One SDK client per provider instance; both OpenAI wire formats use the same settings. */
export function openAIClient(settings: ResolvedModelSettings): OpenAI {
  return new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    timeout: settings.timeoutMs,
    maxRetries: 0, // retry.ts retries the whole stream
    // The SDK prints to the console when a stream cannot be parsed; the error we raise says it once.
    logLevel: "off",
  });
}

/**
 * Fills in ModelSettings from the conventional environment variables, so each provider gets a
 * complete configuration and never reads the environment itself.
 */
import { ModelError } from "./model-error.js";
import { missingKeyMessage } from "./missing-key.js";
import { DEFAULT_MAX_RETRIES } from "./retry.js";
import type { ModelSettings, ProviderName } from "./types.js";

/** The SDKs' own default, kept explicit: a long reasoning response can take minutes. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Local OpenAI-compatible servers (Ollama, llama.cpp, ...) ignore the key, but the SDK wants one. */
export const PLACEHOLDER_API_KEY = "not-needed";

export interface ResolvedModelSettings extends ModelSettings {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
}

type Env = Record<string, string | undefined>;

const DEFAULTS: Record<ProviderName, { baseUrlVar: string; baseUrl: string; keyVar: string; keyRequired: boolean }> = {
  openai: {
    baseUrlVar: "OPENAI_BASE_URL",
    baseUrl: "https://api.openai.com/v1",
    keyVar: "OPENAI_API_KEY",
    keyRequired: true,
  },
  "openai-chat": {
    baseUrlVar: "OPENAI_BASE_URL",
    baseUrl: "https://api.openai.com/v1",
    keyVar: "OPENAI_API_KEY",
    keyRequired: false,
  },
  anthropic: {
    baseUrlVar: "ANTHROPIC_BASE_URL",
    baseUrl: "https://api.anthropic.com",
    keyVar: "ANTHROPIC_API_KEY",
    keyRequired: true,
  },
};

export function resolveSettings(settings: ModelSettings, env: Env = process.env): ResolvedModelSettings {
  const defaults = DEFAULTS[settings.provider];
  if (!defaults) throw new ModelError(`Unknown model provider "${String(settings.provider)}"`, { retryable: false });
  const baseUrl = settings.baseUrl || env[defaults.baseUrlVar] || defaults.baseUrl;
  // Chat Completions against OpenAI itself needs OpenAI's key; only other servers may go without.
  const keyRequired = defaults.keyRequired || baseUrl === defaults.baseUrl;
  const apiKey = settings.apiKey || env[defaults.keyVar] || (keyRequired ? "" : PLACEHOLDER_API_KEY);
  if (!apiKey) throw new ModelError(missingKeyMessage(settings.provider), { retryable: false });
  return {
    ...settings,
    apiKey,
    baseUrl,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: settings.maxRetries ?? DEFAULT_MAX_RETRIES,
  };
}

import type { ModelSettings, ProviderName } from "../models/types.js";
import { ConfigError } from "./load.js";
import { type ModelKeys, PROVIDER_NAMES, type QuireConfig } from "./schema.js";

/** The built-in defaults, in one place: the provider, and each provider's default model. */
export const DEFAULT_MODELS: { provider: ProviderName; models: Record<ProviderName, string | undefined> } = {
  provider: "openai",
  models: {
    openai: "gpt-5.1-codex",
    anthropic: "claude-sonnet-4-5",
    // Local and third-party servers have no model in common: the user must name one.
    "openai-chat": undefined,
  },
};

/** The conventional variables, by provider; `api_key_env` overrides the key's. */
const ENV_VARS: Record<ProviderName, { baseUrl: string; apiKey: string }> = {
  openai: { baseUrl: "OPENAI_BASE_URL", apiKey: "OPENAI_API_KEY" },
  "openai-chat": { baseUrl: "OPENAI_BASE_URL", apiKey: "OPENAI_API_KEY" },
  anthropic: { baseUrl: "ANTHROPIC_BASE_URL", apiKey: "ANTHROPIC_API_KEY" },
};

export interface ModelFlags {
  profile?: string;
  provider?: string;
  model?: string;
  baseUrl?: string;
}

type Env = Record<string, string | undefined>;
type Layer = ModelKeys & { apiKey?: string };

/**
 * The model to use, by precedence: flags > the selected profile (`--profile`, else the
 * config's `profile`) > the top level of config.toml > environment variables > built-in defaults.
 *
 * A config layer (profile or top level) applies only when its provider (its own, else the one
 * it inherits) is the provider in effect: `--provider anthropic` must not send an OpenAI model
 * name, base URL or key to Anthropic.
 */
export function resolveModelSettings(
  config: QuireConfig,
  flags: ModelFlags,
  env: Env = process.env,
): ModelSettings & { contextWindow?: number } {
  const profile = selectProfile(config, flags.profile);
  const topProvider = config.provider ?? DEFAULT_MODELS.provider;
  const profileProvider = profile?.provider ?? topProvider;
  const provider = parseProvider(flags.provider ?? profileProvider);

  const layers: Layer[] = [];
  if (profile && profileProvider === provider) layers.push(profile);
  if (topProvider === provider) layers.push(config);
  const pick = <K extends keyof Layer>(key: K): Layer[K] | undefined =>
    layers.find((layer) => layer[key] !== undefined)?.[key];

  const model = flags.model ?? pick("model") ?? DEFAULT_MODELS.models[provider];
  if (model === undefined) {
    throw new ConfigError(`provider ${provider} has no default model: pass --model or set model in config.toml`);
  }
  const settings: ModelSettings & { contextWindow?: number } = { provider, model };
  const baseUrl = flags.baseUrl ?? pick("baseUrl") ?? env[ENV_VARS[provider].baseUrl];
  if (baseUrl) settings.baseUrl = baseUrl;
  const apiKey = resolveApiKey(layers, provider, env);
  if (apiKey) settings.apiKey = apiKey;
  const reasoningEffort = pick("reasoningEffort");
  if (reasoningEffort !== undefined) settings.reasoningEffort = reasoningEffort;
  const maxOutputTokens = pick("maxOutputTokens");
  if (maxOutputTokens !== undefined) settings.maxOutputTokens = maxOutputTokens;
  const requestTimeoutMs = pick("requestTimeoutMs");
  if (requestTimeoutMs !== undefined) settings.timeoutMs = requestTimeoutMs;
  const imageInput = pick("imageInput");
  if (imageInput !== undefined) settings.imageInput = imageInput;
  const contextWindow = pick("contextWindow");
  if (contextWindow !== undefined) settings.contextWindow = contextWindow;
  return settings;
}

function selectProfile(config: QuireConfig, flag: string | undefined): ModelKeys | undefined {
  const name = flag ?? config.profile;
  if (name === undefined) return undefined;
  // hasOwn: a profile named "constructor" must not find Object.prototype's.
  if (Object.hasOwn(config.profiles, name)) return config.profiles[name];
  const known = Object.keys(config.profiles);
  const where = config.file ?? "config.toml (there is none)";
  throw new ConfigError(
    `unknown profile "${name}": ${known.length ? `${where} defines ${known.join(", ")}` : `${where} defines no profiles`}`,
    config.file,
    "profile",
  );
}

function parseProvider(value: string): ProviderName {
  const known: readonly string[] = PROVIDER_NAMES;
  if (known.includes(value)) return value as ProviderName;
  throw new ConfigError(
    `unknown provider "${value}": expected one of ${PROVIDER_NAMES.join(", ")}`,
    undefined,
    "provider",
  );
}

/** The first layer that says where the key is wins; otherwise the provider's usual variable. */
function resolveApiKey(layers: Layer[], provider: ProviderName, env: Env): string | undefined {
  const layer = layers.find((l) => l.apiKeyEnv !== undefined || l.apiKey !== undefined);
  if (layer?.apiKeyEnv !== undefined) {
    const key = env[layer.apiKeyEnv];
    if (!key) throw new ConfigError(`api_key_env names ${layer.apiKeyEnv}, which is not set in the environment`);
    return key;
  }
  return layer?.apiKey ?? env[ENV_VARS[provider].apiKey];
}

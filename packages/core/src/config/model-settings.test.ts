import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS, resolveModelSettings } from "./model-settings.js";
import type { QuireConfig } from "./schema.js";

function config(extra: Partial<QuireConfig> = {}): QuireConfig {
  return {
    agentsMd: { fallbackNames: [], maxBytes: 32768 },
    limits: {},
    outbound: { allowPrivate: [] },
    profiles: {},
    ...extra,
  };
}

describe("resolveModelSettings", () => {
  it("takes the model request timeout from request_timeout_ms, a profile's over the top level", () => {
    const cfg = config({ requestTimeoutMs: 90_000, profiles: { slow: { requestTimeoutMs: 1_200_000 } } });
    expect(resolveModelSettings(cfg, {}, {}).timeoutMs).toBe(90_000);
    expect(resolveModelSettings(cfg, { profile: "slow" }, {}).timeoutMs).toBe(1_200_000);
    expect(resolveModelSettings(config(), {}, {}).timeoutMs).toBeUndefined();
  });

  it("falls back to the built-in defaults and the environment", () => {
    expect(resolveModelSettings(config(), {}, {})).toStrictEqual({ provider: "openai", model: "gpt-5.1-codex" });
    expect(DEFAULT_MODELS.provider).toBe("openai");
    expect(
      resolveModelSettings(config(), {}, { OPENAI_API_KEY: "sk-env", OPENAI_BASE_URL: "http://env/v1" }),
    ).toStrictEqual({ provider: "openai", model: "gpt-5.1-codex", apiKey: "sk-env", baseUrl: "http://env/v1" });
  });

  it("picks the environment variables of the provider in effect", () => {
    const env = {
      OPENAI_API_KEY: "sk-openai",
      OPENAI_BASE_URL: "http://openai/v1",
      ANTHROPIC_API_KEY: "sk-ant",
      ANTHROPIC_BASE_URL: "http://anthropic",
    };
    expect(resolveModelSettings(config(), { provider: "anthropic" }, env)).toStrictEqual({
      provider: "anthropic",
      model: DEFAULT_MODELS.models.anthropic,
      apiKey: "sk-ant",
      baseUrl: "http://anthropic",
    });
    expect(resolveModelSettings(config(), { provider: "openai-chat", model: "llama" }, env)).toMatchObject({
      apiKey: "sk-openai",
      baseUrl: "http://openai/v1",
    });
  });

  it("applies flags > profile > top level > environment", () => {
    const env = { OPENAI_BASE_URL: "http://env/v1", OPENAI_API_KEY: "sk-env", PROFILE_KEY: "sk-profile" };
    const cfg = config({
      model: "top-model",
      baseUrl: "http://top/v1",
      reasoningEffort: "low",
      contextWindow: 100_000,
      profiles: { fast: { model: "profile-model", apiKeyEnv: "PROFILE_KEY", reasoningEffort: "minimal" } },
    });
    expect(resolveModelSettings(cfg, {}, env)).toStrictEqual({
      provider: "openai",
      model: "top-model",
      baseUrl: "http://top/v1",
      apiKey: "sk-env",
      reasoningEffort: "low",
      contextWindow: 100_000,
    });
    expect(resolveModelSettings(cfg, { profile: "fast" }, env)).toStrictEqual({
      provider: "openai",
      model: "profile-model",
      baseUrl: "http://top/v1",
      apiKey: "sk-profile",
      reasoningEffort: "minimal",
      contextWindow: 100_000,
    });
    expect(
      resolveModelSettings(cfg, { profile: "fast", model: "flag-model", baseUrl: "http://flag/v1" }, env),
    ).toMatchObject({
      model: "flag-model",
      baseUrl: "http://flag/v1",
    });
  });

  it("uses the config's default profile unless --profile names another", () => {
    const cfg = config({
      profile: "a",
      profiles: { a: { model: "model-a" }, b: { model: "model-b" } },
    });
    expect(resolveModelSettings(cfg, {}, {}).model).toBe("model-a");
    expect(resolveModelSettings(cfg, { profile: "b" }, {}).model).toBe("model-b");
  });

  it("prefers a key in the file to the environment, and api_key_env to both", () => {
    expect(resolveModelSettings(config({ apiKey: "sk-file" }), {}, { OPENAI_API_KEY: "sk-env" }).apiKey).toBe(
      "sk-file",
    );
    const named = config({ apiKeyEnv: "OTHER_KEY" });
    expect(resolveModelSettings(named, {}, { OPENAI_API_KEY: "sk-env", OTHER_KEY: "sk-other" }).apiKey).toBe(
      "sk-other",
    );
    expect(() => resolveModelSettings(named, {}, { OPENAI_API_KEY: "sk-env" })).toThrow(/OTHER_KEY, which is not set/);
  });

  it("drops config layers written for another provider", () => {
    const cfg = config({
      model: "gpt-top",
      baseUrl: "http://openai-proxy/v1",
      apiKey: "sk-openai-file",
      contextWindow: 1000,
      profiles: {
        local: { provider: "openai-chat", model: "qwen", baseUrl: "http://localhost:11434/v1" },
        sonnet: { provider: "anthropic", model: "claude-x" },
      },
    });
    const env = { ANTHROPIC_API_KEY: "sk-ant" };
    expect(resolveModelSettings(cfg, { provider: "anthropic" }, env)).toStrictEqual({
      provider: "anthropic",
      model: DEFAULT_MODELS.models.anthropic,
      apiKey: "sk-ant",
    });
    expect(resolveModelSettings(cfg, { profile: "sonnet" }, env)).toStrictEqual({
      provider: "anthropic",
      model: "claude-x",
      apiKey: "sk-ant",
    });
    expect(resolveModelSettings(cfg, { profile: "local" }, {})).toStrictEqual({
      provider: "openai-chat",
      model: "qwen",
      baseUrl: "http://localhost:11434/v1",
    });
    // A flag that switches the profile's provider drops the profile too.
    expect(resolveModelSettings(cfg, { profile: "local", provider: "openai" }, {}).model).toBe("gpt-top");
  });

  it("requires a model for openai-chat, which has no default", () => {
    expect(() => resolveModelSettings(config(), { provider: "openai-chat" }, {})).toThrow(/no default model.*--model/);
  });

  it("rejects an unknown profile, listing the known ones", () => {
    const cfg = config({ file: "/home/u/.quire/config.toml", profiles: { fast: {}, local: {} } });
    expect(() => resolveModelSettings(cfg, { profile: "slow" }, {})).toThrow(
      'unknown profile "slow": /home/u/.quire/config.toml defines fast, local',
    );
    expect(() => resolveModelSettings(config(), { profile: "constructor" }, {})).toThrow(/defines no profiles/);
  });

  it("rejects an unknown provider, listing the valid ones", () => {
    expect(() => resolveModelSettings(config(), { provider: "gemini" }, {})).toThrow(
      'unknown provider "gemini": expected one of openai, openai-chat, anthropic',
    );
  });
});

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, quireHome } from "./load.js";

let home: string;

beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "quire-config-"));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function loadToml(toml: string) {
  await writeFile(path.join(home, "config.toml"), toml);
  return loadConfig(home);
}

/** The ConfigError thrown by loading `toml`. */
async function errorFor(toml: string): Promise<ConfigError> {
  const error = await loadToml(toml).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("quireHome", () => {
  it("uses QUIRE_HOME, else ~/.quire", () => {
    expect(quireHome({ QUIRE_HOME: path.join(home, "q") })).toBe(path.join(home, "q"));
    expect(quireHome({ HOME: home })).toBe(path.join(home, ".quire"));
    expect(quireHome({ HOME: home, QUIRE_HOME: "" })).toBe(path.join(home, ".quire"));
    expect(path.isAbsolute(quireHome({ QUIRE_HOME: "relative/home" }))).toBe(true);
  });
});

describe("loadConfig", () => {
  it("gives the defaults when there is no file, or no home at all", async () => {
    const expected = {
      agentsMd: { fallbackNames: [], maxBytes: 32768 },
      limits: {},
      outbound: { allowPrivate: [] },
      profiles: {},
    };
    expect(await loadConfig(home)).toStrictEqual(expected);
    expect(await loadConfig(path.join(home, "missing"))).toStrictEqual(expected);
  });

  it("reads every section into camelCase, leaving unset keys out", async () => {
    const config = await loadToml(`
provider = "openai"
model = "gpt-5.1-codex"
base_url = "https://proxy.example/v1"
api_key_env = "MY_OPENAI_KEY"
reasoning_effort = "high"
request_timeout_ms = 120000
sandbox = "none"
profile = "local"

[agents_md]
fallback_names = ["CLAUDE.md", "GEMINI.md"]
max_bytes = 0

[limits]
max_turns = 50
command_timeout_ms = 60000
max_command_timeout_ms = 600000

[outbound]
allow_private = ["127.0.0.1:4873", "10.0.0.0/8"]

[profiles.local]
provider = "openai-chat"
model = "qwen3-coder"
base_url = "http://localhost:11434/v1"
context_window = 32768
max_output_tokens = 4096
request_timeout_ms = 1800000
`);
    expect(config).toStrictEqual({
      file: path.join(home, "config.toml"),
      provider: "openai",
      model: "gpt-5.1-codex",
      baseUrl: "https://proxy.example/v1",
      apiKeyEnv: "MY_OPENAI_KEY",
      reasoningEffort: "high",
      requestTimeoutMs: 120000,
      sandbox: "none",
      profile: "local",
      agentsMd: { fallbackNames: ["CLAUDE.md", "GEMINI.md"], maxBytes: 0 },
      limits: { maxTurns: 50, commandTimeoutMs: 60000, maxCommandTimeoutMs: 600000 },
      outbound: { allowPrivate: ["127.0.0.1:4873", "10.0.0.0/8"] },
      profiles: {
        local: {
          provider: "openai-chat",
          model: "qwen3-coder",
          baseUrl: "http://localhost:11434/v1",
          contextWindow: 32768,
          maxOutputTokens: 4096,
          requestTimeoutMs: 1800000,
        },
      },
    });
    // Unset limits are absent, so spreading over the agent's defaults keeps them.
    expect({ maxTokens: 7, ...config.limits }.maxTokens).toBe(7);
  });

  it("accepts api_key, but not together with api_key_env", async () => {
    expect((await loadToml(`api_key = "sk-test"`)).apiKey).toBe("sk-test");
    const error = await errorFor(`api_key = "sk-test"\napi_key_env = "OPENAI_API_KEY"`);
    expect(error.key).toBe("api_key");
    expect(error.message).toMatch(/either api_key or api_key_env/);
  });

  it("reports invalid TOML with the file and position, without quoting the line", async () => {
    const error = await errorFor(`model = "gpt"\napi_key = "sk-SECRET`);
    expect(error.message).toContain(`${path.join(home, "config.toml")}:2:`);
    expect(error.message).toMatch(/invalid TOML/);
    expect(error.message).not.toContain("SECRET");
    expect(error.file).toBe(path.join(home, "config.toml"));
  });

  it.each([
    [`provider = "gemini"`, "provider", /openai-chat/],
    [`[limits]\nmax_turns = "ten"`, "limits.max_turns", /expected/],
    [`[limits]\nmax_turns = 0`, "limits.max_turns", /too small/i],
    [`[limits]\ncommand_timeout_ms = 9000\nmax_command_timeout_ms = 1000`, "limits.command_timeout_ms", /max_command/],
    [`[agents_md]\nmax_bytes = -1`, "agents_md.max_bytes", /too small/i],
    [`[agents_md]\nfallback_names = ["docs/AGENTS.md"]`, "agents_md.fallback_names.0", /file name/],
    [`base_url = "ftp://example.com"`, "base_url", /http/],
    [`api_key_env = "sk-abc123"`, "api_key_env", /name of an environment variable/],
    [`reasoning_effort = "extreme"`, "reasoning_effort", /high/],
    [`request_timeout_ms = "slow"`, "request_timeout_ms", /expected number/],
    [`[profiles.local]\nrequest_timeout_ms = 0`, "profiles.local.request_timeout_ms", /too small/i],
    [`modle = "gpt"`, "modle", /unknown key/],
    [`[profiles.fast]\nmodel = 5`, "profiles.fast.model", /expected string/],
    [`[profiles."my.fast"]\ntemperature = 1`, `profiles."my.fast".temperature`, /unknown key/],
    [`profile = "fast"\n[profiles.slow]\nmodel = "m"`, "profile", /profiles: slow/],
  ])("names the key in %j", async (toml, key, reason) => {
    const error = await errorFor(toml);
    expect(error.key).toBe(key);
    expect(error.message).toContain(path.join(home, "config.toml"));
    expect(error.message).toContain(`  ${key}: `);
    expect(error.message).toMatch(reason);
  });

  it("reports an unreadable config.toml", async () => {
    await mkdir(path.join(home, "config.toml"));
    await expect(loadConfig(home)).rejects.toThrow(/cannot read .*config\.toml/);
  });
});

describe("[environments.NAME]", () => {
  it("reads environment overrides into camelCase layers, units converted", async () => {
    const config = await loadToml(`
[environments.web]
repo = "/srv/web"
setup = "npm ci"
secrets = ["NPM_TOKEN"]
cache_ttl_hours = 1
[environments.web.network]
mode = "allowlist"
[environments.web.limits]
memory_mb = 3
`);
    expect(config.environments).toStrictEqual({
      web: {
        repo: "/srv/web",
        setupScript: "npm ci",
        secrets: ["NPM_TOKEN"],
        cacheTtlMs: 3_600_000,
        network: { mode: "allowlist" },
        limits: { memoryBytes: 3 * 1024 * 1024 },
      },
    });
  });

  it.each([
    [`[environments.web]\nrepo = "web"`, "environments.web.repo", /absolute path/],
    [`[environments.web]\nimage = "x"`, "environments.web.image", /unknown key/],
    [`[environments.web.variables]\n"A B" = "x"`, `environments.web.variables."A B"`, /variable name/],
    [`[environments.web.secrets]\nTOKEN = "sk-x"`, "environments.web.secrets", /values live in secrets\.toml/],
  ])("names the key in %j", async (toml, key, reason) => {
    const error = await errorFor(toml);
    expect(error.key).toBe(key);
    expect(error.problems[0]).toMatchObject({ key, message: expect.stringMatching(reason) });
  });
});

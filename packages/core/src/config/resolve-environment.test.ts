import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_NETWORK_POLICY,
  DEFAULT_RESOURCE_LIMITS,
  MIB,
} from "../environments/defaults.js";
import { checkEnvironment, EnvironmentError, effectiveAllowlist, resolveEnvironment } from "./resolve-environment.js";
import { setSecret } from "../environments/secrets.js";

let root: string;
let home: string;
let repo: string;
let repoFile: string;
let configFile: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "quire-env-"));
  home = path.join(root, "home");
  repo = path.join(root, "repo");
  repoFile = path.join(repo, ".quire", "environment.toml");
  configFile = path.join(home, "config.toml");
  await mkdir(path.join(repo, ".quire"), { recursive: true });
  await mkdir(home);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function problemsOf(repoToml: string, configToml = "", name?: string) {
  await writeFile(repoFile, repoToml);
  if (configToml) await writeFile(configFile, configToml);
  return (await checkEnvironment({ home, repoRoot: repo, name })).problems;
}

describe("resolveEnvironment", () => {
  it("gives the safe defaults when the repository defines nothing", async () => {
    await rm(path.join(repo, ".quire"), { recursive: true });
    expect(await resolveEnvironment({ home, repoRoot: repo })).toStrictEqual({
      sources: ["defaults"],
      setupScript: null,
      maintenanceScript: null,
      variables: {},
      secrets: [],
      network: { mode: "off", domains: [], preset: false, methods: "safe" },
      setupNetwork: { mode: "public", domains: [] },
      limits: DEFAULT_RESOURCE_LIMITS,
      checks: [],
      cacheTtlMs: DEFAULT_CACHE_TTL_MS,
    });
    expect(DEFAULT_NETWORK_POLICY.mode).toBe("off");
  });

  it("reads every key of .quire/environment.toml", async () => {
    await setSecret(home, "NPM_TOKEN", "npm-token-value");
    await writeFile(
      repoFile,
      `setup = "npm ci"
maintenance = "npm install"
secrets = ["NPM_TOKEN"]
checks = ["npm test", "npm run lint"]
cache_ttl_hours = 1.5
[variables]
NODE_ENV = "test"
[network]
mode = "allowlist"
domains = ["example.com", "*.internal.example"]
preset = true
methods = "all"
[setup_network]
mode = "allowlist"
domains = ["registry.npmjs.org", "*.pythonhosted.org"]
[limits]
command_timeout_ms = 1000
max_command_timeout_ms = 2000
task_timeout_ms = 3000
output_bytes = 4096
max_processes = 64
memory_mb = 512
cpu_seconds = 30
file_size_mb = 10
disk_mb = 100
`,
    );
    const env = await resolveEnvironment({ home, repoRoot: repo });
    expect(env).toStrictEqual({
      sources: ["defaults", repoFile],
      setupScript: "npm ci",
      maintenanceScript: "npm install",
      variables: { NODE_ENV: "test" },
      secrets: [{ name: "NPM_TOKEN", version: expect.stringMatching(/^[0-9a-f]{12}$/) }],
      network: { mode: "allowlist", domains: ["example.com", "*.internal.example"], preset: true, methods: "all" },
      setupNetwork: { mode: "allowlist", domains: ["registry.npmjs.org", "*.pythonhosted.org"] },
      limits: {
        commandTimeoutMs: 1000,
        maxCommandTimeoutMs: 2000,
        taskTimeoutMs: 3000,
        outputBytes: 4096,
        maxProcesses: 64,
        memoryBytes: 512 * MIB,
        cpuSeconds: 30,
        fileSizeBytes: 10 * MIB,
        diskBytes: 100 * MIB,
      },
      checks: ["npm test", "npm run lint"],
      cacheTtlMs: 5_400_000,
    });
    const allowed = effectiveAllowlist(env.network);
    expect(allowed).toContain("registry.npmjs.org");
    expect(allowed.at(-1)).toBe("*.internal.example");
    expect(effectiveAllowlist({ ...env.network, mode: "on" })).toStrictEqual([]);
  });

  it("refuses secret values in the repository without echoing them", async () => {
    for (const toml of [
      `[secrets]\nAPI_TOKEN = "sk-live-123"`,
      `secrets = { API_TOKEN = "sk-live-123" }`,
      `secrets = ["API_TOKEN=sk-live-123"]`,
    ]) {
      const problems = await problemsOf(toml);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0]).toMatchObject({
        file: repoFile,
        message: expect.stringMatching(/^secrets never live in the repository/),
      });
      expect(problems[0]?.key).toMatch(/^secrets/);
      expect(JSON.stringify(problems)).not.toContain("sk-live-123");
    }
  });

  it.each([
    [`setup = 5`, "setup", /expected string/],
    [`mode = "on"`, "mode", /unknown key/],
    [`[network]\nmode = "open"`, "network.mode", /allowlist/],
    [`[network]\ndomains = ["https://example.com/x"]`, "network.domains.0", /host name/],
    [`[network]\nproxy = "x"`, "network.proxy", /unknown key/],
    [`[limits]\nmemory_mb = 0`, "limits.memory_mb", /too small/i],
    [`[limits]\ncpu_seconds = 1.5`, "limits.cpu_seconds", /int/i],
    [`[limits]\nmemory = 5`, "limits.memory", /unknown key/],
    [`[variables]\n"BAD-NAME" = "x"`, "variables.BAD-NAME", /variable name/],
    [`[variables]\nN = 1`, "variables.N", /expected string/],
    [`checks = ["  "]`, "checks.0", /empty/],
    [`cache_ttl_hours = 0`, "cache_ttl_hours", /too small/i],
    [
      `[limits]\ncommand_timeout_ms = 5000\nmax_command_timeout_ms = 1000`,
      "limits.command_timeout_ms",
      /must not exceed/,
    ],
    [`[limits]\nmax_command_timeout_ms = 7200000`, "limits.max_command_timeout_ms", /task_timeout_ms/],
    [`secrets = ["TOKEN"]\n[variables]\nTOKEN = "x"`, "secrets", /both a variable and a secret/],
    [`secrets = ["TOKEN"]`, "secrets", /TOKEN is not in the secret store.*quire env secret set TOKEN/],
    [`setup = "x`, "(line 1, column 9)", /invalid TOML/],
  ])("names the file and key for %j", async (toml, key, reason) => {
    const problems = await problemsOf(toml);
    expect(problems[0]).toMatchObject({ file: repoFile, key });
    expect(problems[0]?.message).toMatch(reason);
    await expect(resolveEnvironment({ home, repoRoot: repo })).rejects.toThrow(EnvironmentError);
  });

  it("reports every problem at once, from both files", async () => {
    const problems = await problemsOf(
      `setup = 1\n[network]\nmode = "x"`,
      `[environments.web]\nrepo = "relative/path"\nmemory = 1`,
    );
    expect(problems.map((p) => `${path.basename(p.file)} ${p.key}`).sort()).toStrictEqual([
      "config.toml environments.web.memory",
      "config.toml environments.web.repo",
      "environment.toml network.mode",
      "environment.toml setup",
    ]);
    const error = (await resolveEnvironment({ home, repoRoot: repo }).catch((e: unknown) => e)) as EnvironmentError;
    expect(error.problems).toHaveLength(4);
    expect(error.message).toContain(`${configFile}: environments.web.repo: must be an absolute path`);
  });
});

describe("setup_network", () => {
  it("cannot open the host or a private network: only the operator's [outbound] can", async () => {
    const problems = await problemsOf(
      `[setup_network]\nmode = "private"\nallow_private = ["127.0.0.1:5432"]\ndomains = ["127.0.0.1:5432"]`,
      `[environments.web]\nrepo = "*"\nsetup_network = { allow_private = ["10.0.0.0/8"] }\n[outbound]\nallow_private = ["localhost"]`,
    );
    expect(problems.map((p) => `${path.basename(p.file)} ${p.key}`).sort()).toStrictEqual([
      "config.toml environments.web.setup_network.allow_private",
      "config.toml outbound.allow_private.0",
      "environment.toml setup_network.allow_private",
      "environment.toml setup_network.domains.0",
      "environment.toml setup_network.mode",
    ]);
  });
});

describe("overrides in config.toml", () => {
  const repoToml = `setup = "npm ci"
checks = ["npm test"]
[variables]
A = "repo"
B = "repo"
[network]
mode = "allowlist"
domains = ["repo.example"]
[limits]
memory_mb = 1024
cpu_seconds = 60
`;

  it("wins key by key: maps merge, lists replace; * applies first, this repository's table last", async () => {
    await writeFile(repoFile, repoToml);
    await writeFile(
      configFile,
      `[environments.mine]
repo = ${JSON.stringify(repo)}
checks = ["npm run ci"]
[environments.mine.variables]
B = "config"
C = "config"
[environments.mine.network]
domains = ["config.example"]
[environments.mine.limits]
memory_mb = 2048

[environments.all]
repo = "*"
setup = "overridden by nothing: mine has no setup"
cache_ttl_hours = 2
[environments.all.limits]
memory_mb = 8
cpu_seconds = 99

[environments.other]
repo = "/somewhere/else"
setup = "never"
`,
    );
    const env = await resolveEnvironment({ home, repoRoot: repo });
    expect(env.sources).toStrictEqual([
      "defaults",
      repoFile,
      `${configFile} [environments.all]`,
      `${configFile} [environments.mine]`,
    ]);
    expect(env.setupScript).toBe("overridden by nothing: mine has no setup");
    expect(env.variables).toStrictEqual({ A: "repo", B: "config", C: "config" });
    expect(env.checks).toStrictEqual(["npm run ci"]);
    expect(env.network).toStrictEqual({
      mode: "allowlist",
      domains: ["config.example"],
      preset: false,
      methods: "safe",
    });
    expect(env.limits.memoryBytes).toBe(2048 * MIB);
    expect(env.limits.cpuSeconds).toBe(99);
    expect(env.limits.diskBytes).toBe(DEFAULT_RESOURCE_LIMITS.diskBytes);
    expect(env.cacheTtlMs).toBe(2 * 3_600_000);
  });

  it("applies a table without repo only when named, and checks the name", async () => {
    await writeFile(repoFile, repoToml);
    await writeFile(configFile, `[environments.strict]\n[environments.strict.network]\nmode = "off"\n`);
    expect((await resolveEnvironment({ home, repoRoot: repo })).network.mode).toBe("allowlist");
    expect((await resolveEnvironment({ home, repoRoot: repo, name: "strict" })).network.mode).toBe("off");
    const problems = (await checkEnvironment({ home, repoRoot: repo, name: "nope" })).problems;
    expect(problems).toStrictEqual([
      { file: configFile, key: "environments.nope", message: "no such environment (defined: strict)" },
    ]);
  });

  it("refuses a named table for another repository, and two tables for one", async () => {
    await writeFile(
      configFile,
      `[environments.a]\nrepo = ${JSON.stringify(repo)}\n[environments.b]\nrepo = ${JSON.stringify(repo + "/")}\n[environments.c]\nrepo = "/elsewhere"\n`,
    );
    const [ambiguous] = (await checkEnvironment({ home, repoRoot: repo })).problems;
    expect(ambiguous?.message).toMatch(/several environments .*\(a, b\).*--name/);
    expect((await checkEnvironment({ home, repoRoot: repo, name: "a" })).problems).toStrictEqual([]);
    const [other] = (await checkEnvironment({ home, repoRoot: repo, name: "c" })).problems;
    expect(other).toMatchObject({ key: "environments.c.repo", message: expect.stringMatching(/is for \/elsewhere/) });
  });

  it("blames the config key when the merged limits conflict, and lets an empty setup clear the repository's", async () => {
    await writeFile(repoFile, `setup = "npm ci"\n[limits]\nmax_command_timeout_ms = 600000`);
    await writeFile(
      configFile,
      `[environments.x]\nrepo = "*"\nsetup = ""\n[environments.x.limits]\ncommand_timeout_ms = 900000`,
    );
    const check = await checkEnvironment({ home, repoRoot: repo });
    expect(check.environment.setupScript).toBeNull();
    expect(check.problems).toStrictEqual([
      {
        file: configFile,
        key: "environments.x.limits.command_timeout_ms",
        message: "limits.command_timeout_ms (900000) must not exceed limits.max_command_timeout_ms (600000)",
      },
    ]);
  });

  it("refuses secret values in config tables too", async () => {
    const problems = await problemsOf("", `[environments.x.secrets]\nTOKEN = "sk-config-secret"`);
    expect(problems[0]).toMatchObject({ file: configFile, key: "environments.x.secrets" });
    expect(problems[0]?.message).toMatch(/quire env secret set/);
    expect(JSON.stringify(problems)).not.toContain("sk-config-secret");
  });
});

describe("checkEnvironment", () => {
  it("warns about network on, an empty allowlist and secrets too short to redact", async () => {
    await setSecret(home, "PIN", "123");
    await writeFile(repoFile, `secrets = ["PIN", "GONE"]\n[network]\nmode = "on"`);
    const check = await checkEnvironment({ home, repoRoot: repo });
    expect(check.missingSecrets).toStrictEqual(["GONE"]);
    expect(check.environment.secrets).toStrictEqual([
      { name: "PIN", version: expect.stringMatching(/^[0-9a-f]{12}$/) },
      { name: "GONE", version: "" },
    ]);
    expect(check.warnings.join("\n")).toMatch(/PIN is shorter than 4/);
    expect(check.warnings.join("\n")).toMatch(/network is on/);
    await writeFile(repoFile, `[network]\nmode = "allowlist"`);
    expect((await checkEnvironment({ home, repoRoot: repo })).warnings).toStrictEqual([
      "network is allowlist, but no domains are listed and preset is false: nothing is reachable",
    ]);
  });
});

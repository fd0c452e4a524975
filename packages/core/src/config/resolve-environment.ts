/**
 * Resolving a repository's environment: the defaults, then `.quire/environment.toml` from the
 * repository, then the matching `[environments.NAME]` tables of Quire's config.toml, key by key
 * (maps merge, lists replace). Every problem is collected, each naming its file and key.
 */
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { parse, TomlError } from "smol-toml";
import { NETWORK_PRESET_DOMAINS } from "../environments/network-preset.js";
import { CONFIG_FILE_NAME, ConfigError, describeIssue, loadConfig } from "./load.js";
import type { EnvironmentOverride, QuireConfig } from "./schema.js";
import {
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_NETWORK_POLICY,
  DEFAULT_RESOURCE_LIMITS,
  DEFAULT_SETUP_NETWORK_POLICY,
  ENVIRONMENT_FILE,
} from "../environments/defaults.js";
import {
  type EnvironmentLayer,
  LIMIT_KEYS,
  repositoryEnvironmentSchema,
  toEnvironmentLayer,
} from "../environments/definition-schema.js";
import { inspectSecrets, SecretStoreError } from "../environments/secrets.js";
import type { NetworkPolicy, ResolvedEnvironment, ResourceLimits } from "../environments/types.js";

export interface EnvironmentProblem {
  file: string;
  /** As written in the file (`limits.memory_mb`, `environments.web.network.mode`). */
  key: string;
  message: string;
}

export class EnvironmentError extends Error {
  constructor(readonly problems: EnvironmentProblem[]) {
    super(`invalid environment:\n${problems.map((p) => `  ${p.file}: ${p.key}: ${p.message}`).join("\n")}`);
    this.name = "EnvironmentError";
  }
}

export interface ResolveEnvironmentOptions {
  /** Quire's home (config.toml, secrets.toml). */
  home: string;
  repoRoot: string;
  /** Selects `[environments.NAME]` of config.toml explicitly. */
  name?: string;
  /**
   * A last layer over the repository's file and config.toml: a server's stored environment, with
   * the repository file's keys (secret names, never values). `label` names it in problems.
   */
  overrides?: { label: string; definition: unknown };
  /** Where secret values live when not in the home's secrets.toml (a server's database). */
  secretStore?: (names: readonly string[]) => Promise<{ name: string; version: string | null; redactable: boolean }[]>;
}

/** Everything `quire env check` shows: the environment even when it has problems. */
export interface EnvironmentCheck {
  /** Secrets missing from the store have version "". */
  environment: ResolvedEnvironment;
  problems: EnvironmentProblem[];
  /** Advice that does not stop a task (network on, nothing allowed, values too short to redact). */
  warnings: string[];
  missingSecrets: string[];
}

/** Where a layer came from, to name its keys in problems. */
interface Origin {
  file: string;
  /** "" for the repository's file, `environments.NAME.` for a config table. */
  prefix: string;
  label: string;
}

/** The environment a task in `repoRoot` gets; throws EnvironmentError listing every problem. */
export async function resolveEnvironment(options: ResolveEnvironmentOptions): Promise<ResolvedEnvironment> {
  const check = await checkEnvironment(options);
  if (check.problems.length > 0) throw new EnvironmentError(check.problems);
  return check.environment;
}

export async function checkEnvironment(options: ResolveEnvironmentOptions): Promise<EnvironmentCheck> {
  const problems: EnvironmentProblem[] = [];
  const layers: { origin: Origin; layer: EnvironmentLayer }[] = [];
  const repoFile = path.join(options.repoRoot, ENVIRONMENT_FILE);
  const repoLayer = await loadRepositoryLayer(repoFile, problems);
  if (repoLayer) layers.push({ origin: { file: repoFile, prefix: "", label: repoFile }, layer: repoLayer });
  const config = await loadConfigCollecting(options.home, problems);
  if (config) layers.push(...(await selectOverrides(config, options, problems)));
  if (options.overrides) {
    const { label, definition } = options.overrides;
    const parsed = repositoryEnvironmentSchema.safeParse(definition);
    if (parsed.success)
      layers.push({ origin: { file: label, prefix: "", label }, layer: toEnvironmentLayer(parsed.data) });
    else problems.push(...parsed.error.issues.flatMap(describeIssue).map((p) => ({ file: label, ...p })));
  }
  const merged = merge(layers);
  problems.push(...crossCheck(merged));

  const warnings: string[] = [];
  const missingSecrets: string[] = [];
  const env = merged.environment;
  try {
    const inspect = options.secretStore ?? ((names: readonly string[]) => inspectSecrets(options.home, names));
    for (const secret of await inspect(merged.secretNames)) {
      env.secrets.push({ name: secret.name, version: secret.version ?? "" });
      if (secret.version === null) missingSecrets.push(secret.name);
      else if (!secret.redactable)
        warnings.push(`secret ${secret.name} is shorter than 4 characters, so it cannot be redacted from logs`);
    }
  } catch (error) {
    if (!(error instanceof SecretStoreError)) throw error;
    problems.push({ file: error.file, key: "(file)", message: error.message });
  }
  for (const name of missingSecrets) {
    const origin = merged.secretsOrigin as Origin;
    problems.push({
      file: origin.file,
      key: `${origin.prefix}secrets`,
      message: options.secretStore
        ? `${name} has no value stored for this environment; set it first`
        : `${name} is not in the secret store; set it with \`quire env secret set ${name}\` (the value is read from stdin)`,
    });
  }
  warnings.push(...networkWarnings(env));
  return { environment: env, problems, warnings, missingSecrets };
}

async function loadRepositoryLayer(file: string, problems: EnvironmentProblem[]): Promise<EnvironmentLayer | null> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    problems.push({ file, key: "(file)", message: `cannot read: ${(error as Error).message}` });
    return null;
  }
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "");
    problems.push({ file, key: `(line ${error.line}, column ${error.column})`, message: `invalid TOML: ${reason}` });
    return null;
  }
  const parsed = repositoryEnvironmentSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.flatMap(describeIssue).map((p) => ({ file, ...p })));
    return null;
  }
  return toEnvironmentLayer(parsed.data);
}

async function loadConfigCollecting(home: string, problems: EnvironmentProblem[]): Promise<QuireConfig | null> {
  try {
    return await loadConfig(home);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const file = error.file ?? path.join(home, CONFIG_FILE_NAME);
    if (error.problems.length === 0) problems.push({ file, key: error.key ?? "(file)", message: error.message });
    problems.push(...error.problems.map((p) => ({ file, ...p })));
    return null;
  }
}

async function canonical(dir: string): Promise<string> {
  return realpath(dir).catch(() => path.resolve(dir));
}

/** `repo = "*"` tables first (in file order), then the one for this repository (or the named one). */
async function selectOverrides(
  config: QuireConfig,
  options: ResolveEnvironmentOptions,
  problems: EnvironmentProblem[],
): Promise<{ origin: Origin; layer: EnvironmentLayer }[]> {
  const file = config.file ?? path.join(options.home, CONFIG_FILE_NAME);
  const tables = Object.entries(config.environments ?? {});
  const root = await canonical(options.repoRoot);
  const isThisRepo = async (table: EnvironmentOverride) =>
    table.repo !== undefined && table.repo !== "*" && (await canonical(table.repo)) === root;
  let chosen: string | undefined;
  if (options.name !== undefined) {
    const table = Object.hasOwn(config.environments ?? {}, options.name)
      ? config.environments?.[options.name]
      : undefined;
    if (table === undefined) {
      const known = tables.map(([name]) => name).join(", ") || "none";
      problems.push({ file, key: `environments.${options.name}`, message: `no such environment (defined: ${known})` });
    } else if (table.repo !== undefined && table.repo !== "*" && !(await isThisRepo(table))) {
      problems.push({ file, key: `environments.${options.name}.repo`, message: `is for ${table.repo}, not ${root}` });
    } else chosen = options.name;
  } else {
    const matching: string[] = [];
    for (const [name, table] of tables) if (await isThisRepo(table)) matching.push(name);
    if (matching.length > 1) {
      problems.push({
        file,
        key: `environments.${matching[1]}.repo`,
        message: `several environments are for this repository (${matching.join(", ")}); choose one with --name`,
      });
    }
    chosen = matching[0];
  }
  const names = [...tables.filter(([name, t]) => t.repo === "*" && name !== chosen).map(([name]) => name)];
  if (chosen !== undefined) names.push(chosen);
  return names.map((name) => {
    const { repo: _repo, ...layer } = config.environments?.[name] as EnvironmentOverride;
    return { origin: { file, prefix: `environments.${name}.`, label: `${file} [environments.${name}]` }, layer };
  });
}

interface Merged {
  environment: ResolvedEnvironment;
  secretNames: string[];
  secretsOrigin?: Origin;
  limitOrigins: Partial<Record<keyof ResourceLimits, Origin>>;
}

function merge(layers: { origin: Origin; layer: EnvironmentLayer }[]): Merged {
  const env: ResolvedEnvironment = {
    sources: ["defaults", ...layers.map((l) => l.origin.label)],
    setupScript: null,
    maintenanceScript: null,
    variables: {},
    secrets: [],
    network: { ...DEFAULT_NETWORK_POLICY, domains: [...DEFAULT_NETWORK_POLICY.domains] },
    setupNetwork: { ...DEFAULT_SETUP_NETWORK_POLICY, domains: [] },
    limits: { ...DEFAULT_RESOURCE_LIMITS },
    checks: [],
    cacheTtlMs: DEFAULT_CACHE_TTL_MS,
  };
  const merged: Merged = { environment: env, secretNames: [], limitOrigins: {} };
  for (const { origin, layer } of layers) {
    if (layer.setupScript !== undefined) env.setupScript = layer.setupScript;
    if (layer.maintenanceScript !== undefined) env.maintenanceScript = layer.maintenanceScript;
    if (layer.variables) env.variables = { ...env.variables, ...layer.variables };
    if (layer.secrets) {
      merged.secretNames = [...new Set(layer.secrets)];
      merged.secretsOrigin = origin;
    }
    if (layer.network) env.network = { ...env.network, ...layer.network };
    if (layer.setupNetwork) env.setupNetwork = { ...env.setupNetwork, ...layer.setupNetwork };
    if (layer.limits) {
      env.limits = { ...env.limits, ...layer.limits };
      for (const key of Object.keys(layer.limits) as (keyof ResourceLimits)[]) merged.limitOrigins[key] = origin;
    }
    if (layer.checks) env.checks = [...layer.checks];
    if (layer.mcpServers) env.mcpServers = { ...env.mcpServers, ...layer.mcpServers };
    if (layer.cacheTtlMs !== undefined) env.cacheTtlMs = layer.cacheTtlMs;
  }
  return merged;
}

/** Rules between keys, checked on the merged result since each may come from another file. */
function crossCheck(merged: Merged): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  const { limits, variables } = merged.environment;
  const ordered: [keyof ResourceLimits, keyof ResourceLimits][] = [
    ["commandTimeoutMs", "maxCommandTimeoutMs"],
    ["maxCommandTimeoutMs", "taskTimeoutMs"],
  ];
  for (const [lower, upper] of ordered) {
    if (limits[lower] <= limits[upper]) continue;
    // Blame the key that was set; the other one may be a default.
    const [key, origin] = merged.limitOrigins[lower]
      ? [lower, merged.limitOrigins[lower]]
      : [upper, merged.limitOrigins[upper]];
    const where = origin ?? { file: "defaults", prefix: "", label: "defaults" };
    problems.push({
      file: where.file,
      key: `${where.prefix}${LIMIT_KEYS[key]}`,
      message: `${LIMIT_KEYS[lower]} (${limits[lower]}) must not exceed ${LIMIT_KEYS[upper]} (${limits[upper]})`,
    });
  }
  for (const name of merged.secretNames) {
    if (!Object.hasOwn(variables, name) || !merged.secretsOrigin) continue;
    const { file, prefix } = merged.secretsOrigin;
    problems.push({ file, key: `${prefix}secrets`, message: `${name} is both a variable and a secret` });
  }
  return problems;
}

function networkWarnings(env: ResolvedEnvironment): string[] {
  const setup = env.setupNetwork;
  const setupWarnings =
    setup.mode === "allowlist" && setup.domains.length === 0
      ? ["setup_network is allowlist, but no domains are listed: setup cannot reach anything"]
      : setup.mode === "public" && setup.domains.length > 0
        ? ['setup_network domains apply only with mode = "allowlist"']
        : [];
  return [...setupWarnings, ...agentNetworkWarnings(env)];
}

function agentNetworkWarnings(env: ResolvedEnvironment): string[] {
  const { mode, domains, preset } = env.network;
  if (mode === "on") return ["network is on: the agent can reach any public host, and send anything it reads there"];
  if (mode === "allowlist" && domains.length === 0 && !preset) {
    return ["network is allowlist, but no domains are listed and preset is false: nothing is reachable"];
  }
  if (mode === "off" && (domains.length > 0 || preset))
    return ['network domains and preset apply only with mode = "allowlist"'];
  return [];
}

/** The domains the agent phase may reach in allowlist mode: the preset's (when on), then the listed ones. */
export function effectiveAllowlist(network: NetworkPolicy): string[] {
  if (network.mode !== "allowlist") return [];
  return [...new Set([...(network.preset ? NETWORK_PRESET_DOMAINS : []), ...network.domains])];
}

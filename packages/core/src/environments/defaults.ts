/**
 * Safe defaults for an environment: what a task gets when neither the repository's
 * `.quire/environment.toml` nor Quire's configuration says otherwise. Every value is configurable.
 */
import type { NetworkPolicy, ResourceLimits, SetupNetworkPolicy } from "./types.js";

/** Where a repository keeps its environment definition, relative to its root. */
export const ENVIRONMENT_FILE = ".quire/environment.toml";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const MIB = 1024 * 1024;

/** The agent phase has no network unless the environment asks for it. */
export const DEFAULT_NETWORK_POLICY: Readonly<NetworkPolicy> = Object.freeze({
  mode: "off",
  domains: [],
  // Off even in allowlist mode: the environment lists what it needs, or opts into the preset.
  preset: false,
  methods: "safe",
});

/** Setup may fetch from the public internet (package registries, git hosts), never the host. */
export const DEFAULT_SETUP_NETWORK_POLICY: Readonly<SetupNetworkPolicy> = Object.freeze({
  mode: "public",
  domains: [],
});

export const DEFAULT_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  commandTimeoutMs: 120 * SECOND,
  maxCommandTimeoutMs: 20 * MINUTE,
  taskTimeoutMs: 60 * MINUTE,
  outputBytes: 1 * MIB,
  maxProcesses: 512,
  memoryBytes: 4 * 1024 * MIB,
  cpuSeconds: 600,
  fileSizeBytes: 1024 * MIB,
  diskBytes: 5 * 1024 * MIB,
});

export const DEFAULT_CACHE_TTL_MS = 12 * HOUR;

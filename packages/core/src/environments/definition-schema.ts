/**
 * The keys of an environment definition, as written in `.quire/environment.toml` and in
 * `[environments.NAME]` tables of Quire's config.toml (snake_case, strict), and their conversion
 * to a camelCase layer that can be merged over the defaults.
 */
import { MIB } from "./defaults.js";
import {
  environmentKeysShape,
  repositoryEnvironmentSchema,
  VARIABLE_NAME,
  type EnvironmentFileKeys,
} from "@quire/protocol";
import type { McpServerDefinition, NetworkPolicy, ResourceLimits, SetupNetworkPolicy } from "./types.js";

// The keys themselves are part of the wire contract (the API's `definition`): @quire/protocol holds them.
export { environmentKeysShape, repositoryEnvironmentSchema, VARIABLE_NAME, type EnvironmentFileKeys };

/** What one source (the repository's file, or one config table) says; unset keys are absent. */
export interface EnvironmentLayer {
  setupScript?: string | null;
  maintenanceScript?: string | null;
  variables?: Record<string, string>;
  secrets?: string[];
  network?: Partial<NetworkPolicy>;
  setupNetwork?: Partial<SetupNetworkPolicy>;
  limits?: Partial<ResourceLimits>;
  checks?: string[];
  cacheTtlMs?: number;
  mcpServers?: Record<string, McpServerDefinition>;
}

/** Drops unset keys, so that spreading a layer over another keeps what it does not set. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** An empty or blank script means "no script" (and can override one set below). */
function script(text: string | undefined): string | null | undefined {
  if (text === undefined) return undefined;
  return text.trim() === "" ? null : text;
}

function mb(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * MIB;
}

export function toEnvironmentLayer(keys: EnvironmentFileKeys): EnvironmentLayer {
  const limits = keys.limits;
  return defined({
    setupScript: script(keys.setup),
    maintenanceScript: script(keys.maintenance),
    variables: keys.variables,
    secrets: keys.secrets,
    network: keys.network && defined({ ...keys.network }),
    setupNetwork: keys.setup_network && defined({ ...keys.setup_network }),
    limits:
      limits &&
      defined({
        commandTimeoutMs: limits.command_timeout_ms,
        maxCommandTimeoutMs: limits.max_command_timeout_ms,
        taskTimeoutMs: limits.task_timeout_ms,
        outputBytes: limits.output_bytes,
        maxProcesses: limits.max_processes,
        memoryBytes: mb(limits.memory_mb),
        cpuSeconds: limits.cpu_seconds,
        fileSizeBytes: mb(limits.file_size_mb),
        diskBytes: mb(limits.disk_mb),
      }),
    checks: keys.checks,
    mcpServers:
      keys.mcp_servers &&
      Object.fromEntries(
        Object.entries(keys.mcp_servers).map(([name, server]) => [
          name,
          server.url !== undefined
            ? { url: server.url }
            : { command: server.command!, args: server.args ?? [], env: server.env ?? {} },
        ]),
      ),
    cacheTtlMs: keys.cache_ttl_hours === undefined ? undefined : Math.round(keys.cache_ttl_hours * 3_600_000),
  });
}

/** The file's key for each limit, to name it in errors found after merging. */
export const LIMIT_KEYS: Record<keyof ResourceLimits, string> = {
  commandTimeoutMs: "limits.command_timeout_ms",
  maxCommandTimeoutMs: "limits.max_command_timeout_ms",
  taskTimeoutMs: "limits.task_timeout_ms",
  outputBytes: "limits.output_bytes",
  maxProcesses: "limits.max_processes",
  memoryBytes: "limits.memory_mb",
  cpuSeconds: "limits.cpu_seconds",
  fileSizeBytes: "limits.file_size_mb",
  diskBytes: "limits.disk_mb",
};

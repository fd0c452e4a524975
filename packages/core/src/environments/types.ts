/**
 * An environment: how a repository's tasks are prepared (setup and maintenance scripts,
 * variables, secrets) and what the agent phase may do (network policy, limits).
 * Non-secret parts may live in the repository (`.quire/environment.toml`) and be overridden
 * in Quire's configuration; secrets live only in Quire's home, never in the repository.
 */

export type NetworkMode = "off" | "allowlist" | "on";

export interface NetworkPolicy {
  mode: NetworkMode;
  /** Extra domains allowed in allowlist mode (exact host, or "*.example.com" for subdomains). */
  domains: string[];
  /** Include the preset of common package registries (npm, PyPI, crates, Go proxy, Maven, RubyGems, distro mirrors, GitHub). */
  preset: boolean;
  /** "safe": only GET, HEAD and OPTIONS pass the proxy; "all": any method. */
  methods: "safe" | "all";
}

/**
 * What setup and maintenance scripts may reach, through the filtering proxy (their only way
 * out): "public", any host on the public internet; "allowlist", only `domains` (same syntax as
 * the agent's). Never the host itself or a private network, whatever the environment says:
 * only the operator opens those (network/operator-allowance.ts).
 */
export interface SetupNetworkPolicy {
  mode: "public" | "allowlist";
  domains: string[];
}

export interface ResourceLimits {
  /** Default wall time of one command, and the most a command may ask for. */
  commandTimeoutMs: number;
  maxCommandTimeoutMs: number;
  /** Wall time of the whole task. */
  taskTimeoutMs: number;
  /** Bytes of command output kept (head and tail) for events. */
  outputBytes: number;
  /** Processes (threads included) the sandbox user may have at once. */
  maxProcesses: number;
  /** Address space of each process, in bytes. */
  memoryBytes: number;
  /** CPU seconds of each process. */
  cpuSeconds: number;
  /** Largest file a command may write, and the workspace's total growth, in bytes. */
  fileSizeBytes: number;
  diskBytes: number;
}

export interface SecretRef {
  name: string;
  /** Changes when the value changes (a hash prefix or counter), so the cache key follows it. */
  version: string;
}

/** An MCP server of an environment: a stdio command run in the task's sandbox, or a URL. */
export type McpServerDefinition = { command: string; args: string[]; env: Record<string, string> } | { url: string };

export interface ResolvedEnvironment {
  /** Where the definition came from, for `quire env check` and errors. */
  sources: string[];
  setupScript: string | null;
  maintenanceScript: string | null;
  /** Plain variables, given to setup and to the agent phase. */
  variables: Record<string, string>;
  /** Secret names and versions (values are read only when setup runs). */
  secrets: SecretRef[];
  network: NetworkPolicy;
  /** The setup and maintenance scripts' network (the agent phase's is `network`). */
  setupNetwork: SetupNetworkPolicy;
  limits: ResourceLimits;
  /** Commands that verify a task's result (used by the server's verification gate). */
  checks: string[];
  /** Snapshot time to live, in milliseconds (default 12 hours). */
  cacheTtlMs: number;
  /** `[mcp_servers.NAME]`: tools the agent may call (absent: none). */
  mcpServers?: Record<string, McpServerDefinition>;
}

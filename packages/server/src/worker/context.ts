/** What a worker needs to run attempts: storage, live events, and how tasks are run. */
import type {
  AgentLimits,
  ContainerOptions,
  ModelClient,
  ModelSettings,
  OutboundAllowance,
  SandboxBackendName,
} from "@quire/core";
import type { ServerContext } from "../context.js";
import type { Notifier } from "../notifications/index.js";

/** How tasks run here: Quire's home, the model, the sandbox and the budgets (config.toml + flags). */
export interface RunSettings {
  home: string;
  model: ModelSettings;
  contextWindow: number;
  sandbox: SandboxBackendName;
  container?: ContainerOptions;
  limits: AgentLimits;
  agentsMd?: { fallbackNames?: string[]; maxBytes?: number };
  /**
   * config.toml `[outbound]`: private or local destinations that setup, maintenance and
   * repository URLs may reach; only public ones when absent.
   */
  outbound?: OutboundAllowance;
}

export interface WorkerContext extends ServerContext {
  settings: RunSettings;
  /** Sends the workspace's webhooks when a task ends; absent where nobody is told (tests, tools). */
  notifier?: Notifier;
  /** `host:pid:random`: lets a restarted server on the same host tell that a worker is gone. */
  workerId: string;
  /** An attempt whose worker has not renewed for this long is interrupted by any other process. */
  leaseMs: number;
  /** How often the lease is renewed and a cancel request looked for. */
  heartbeatMs: number;
  /** Builds the model client of an attempt (tests point it at a scripted server through settings). */
  modelClient?: (settings: ModelSettings) => ModelClient;
  /** Plans' budgets stop tasks (a multi-user server, or a plans.toml in home); usage is metered always. */
  enforcePlans?: boolean;
  /** Lets only a few workspace preparations run at once in this process. */
  preparationGate?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Skip the verification gate (benchmarks of the queue alone). */
  skipVerification?: boolean;
}

import {
  type AgentLimits,
  type ContainerOptions,
  DEFAULT_CONTAINER,
  contextWindowFor,
  defaultAgentLimits,
  loadConfig,
  type ModelSettings,
  type OutboundAllowance,
  quireHome,
  resolveModelSettings,
  type SandboxBackendName,
} from "@quire/core";

export interface ExecSettings {
  home: string;
  model: ModelSettings;
  contextWindow: number;
  sandbox: SandboxBackendName;
  container?: ContainerOptions;
  limits: AgentLimits;
  agentsMd: { fallbackNames?: string[]; maxBytes?: number };
  /** config.toml `[outbound]`: private destinations setup and repository URLs may reach. */
  outbound: OutboundAllowance;
}

/** Flags over the config file in Quire's home over environment variables over defaults. */
/** The flags of `quire exec` (and the run flags `quire serve` shares). */
export interface ExecFlags {
  json?: boolean;
  mode: "code" | "ask" | "review";
  provider?: string;
  model?: string;
  baseUrl?: string;
  profile?: string;
  sandbox?: SandboxBackendName;
  /** `--container-image`: the container backend's image (it was `--image` before images went to the model). */
  containerImage?: string;
  /** `-i/--image FILE`: images given to the model with the prompt. */
  image?: string[];
  cd?: string;
  resume?: string;
  env?: string;
  maxTurns?: number;
  maxTime?: number;
  maxTokens?: number;
  outputLastMessage?: string;
  /** With a server (remote-exec.ts). */
  server?: string;
  ref?: string;
  repo?: string;
  attempts?: number;
  detach?: boolean;
  /** Review mode on a server: the base `--ref` is reviewed against, or the task whose result is reviewed. */
  base?: string;
  reviewOf?: string;
}

export async function resolveExecSettings(flags: ExecFlags): Promise<ExecSettings> {
  const home = quireHome();
  const config = await loadConfig(home);
  const { contextWindow, ...model } = resolveModelSettings(config, {
    profile: flags.profile,
    provider: flags.provider,
    model: flags.model,
    baseUrl: flags.baseUrl,
  });
  const limits: AgentLimits = { ...defaultAgentLimits, ...config.limits };
  if (flags.maxTurns !== undefined) limits.maxTurns = flags.maxTurns;
  if (flags.maxTime !== undefined) limits.maxWallTimeMs = flags.maxTime * 1000;
  if (flags.maxTokens !== undefined) limits.maxTokens = flags.maxTokens;
  return {
    home,
    model,
    contextWindow: contextWindow ?? contextWindowFor(model.model),
    sandbox: flags.sandbox ?? config.sandbox ?? "bwrap",
    container: {
      engine: config.container?.engine ?? DEFAULT_CONTAINER.engine,
      image: flags.containerImage ?? config.container?.image ?? DEFAULT_CONTAINER.image,
    },
    limits,
    agentsMd: config.agentsMd,
    outbound: config.outbound,
  };
}

import type { NetworkPolicy } from "../environments/types.js";
import type { SandboxBackendName, SandboxPolicy } from "../sandbox/types.js";
import { startFilteringProxy, type FilteringProxyOptions } from "./filtering-proxy.js";
import { DestinationRule, type OutboundAllowance } from "./operator-allowance.js";
import { openSetupNetwork } from "./setup-network.js";

/** The agent phase's network for one task: what to put in the sandbox policy, and how to end it. */
export interface AgentNetwork {
  mode: NetworkPolicy["mode"];
  /** Spread into the task's SandboxPolicy. */
  sandbox: Pick<SandboxPolicy, "network" | "proxy">;
  close(): Promise<void>;
}

export interface AgentNetworkOptions extends Omit<FilteringProxyOptions, "policy" | "setup" | "destinations"> {
  /** The sandbox backend the task runs in: only bwrap takes the proxy's socket. bwrap by default. */
  backend?: SandboxBackendName;
  /** The operator's private destinations (config.toml `[outbound]`); none by default. */
  outbound?: OutboundAllowance;
}

/**
 * The agent phase never reaches the host Quire runs on, whatever the environment (which a member
 * or a repository's own file controls) says; only the operator's `[outbound]` opens a private
 * destination.
 *
 * - "off": the sandbox's own empty network namespace (only its own loopback).
 * - "allowlist": a filtering proxy for this task, reachable only through the socket the sandbox
 *   is given, for the listed hosts; every address it connects to must also be public or allowed
 *   by the operator, so listing `127.0.0.1`, `localhost` or `169.254.169.254` opens nothing.
 * - "on": with bwrap, the setup phase's network (setup-network.ts): its own namespace whose only
 *   way out is a filtering proxy to any public host, any port and method, checked on the
 *   resolved address. The container backend keeps the engine's bridge network (never the host's
 *   namespace); "none" isolates nothing.
 */
export async function openAgentNetwork(
  policy: NetworkPolicy,
  options: AgentNetworkOptions = {},
): Promise<AgentNetwork> {
  const { backend = "bwrap", outbound, ...proxyOptions } = options;
  const closed = async (): Promise<void> => {};
  if (policy.mode === "off") return { mode: "off", sandbox: { network: false }, close: closed };
  if (policy.mode === "on") {
    const network = await openSetupNetwork({
      policy: { mode: "public", domains: [] },
      backend,
      ...(outbound ? { outbound } : {}),
      ...(proxyOptions.onDecision ? { onDecision: proxyOptions.onDecision } : {}),
      ...(proxyOptions.resolve ? { resolve: proxyOptions.resolve } : {}),
    });
    return { mode: "on", ...network };
  }
  const proxy = await startFilteringProxy({ ...proxyOptions, policy, destinations: new DestinationRule(outbound) });
  return {
    mode: "allowlist",
    sandbox: { network: false, proxy: { socketPath: proxy.socketPath } },
    close: () => proxy.close(),
  };
}

import type { NetworkPolicy } from "../environments/types.js";
import type { SandboxPolicy } from "../sandbox/types.js";
import { startFilteringProxy, type FilteringProxyOptions } from "./filtering-proxy.js";

/** The agent phase's network for one task: what to put in the sandbox policy, and how to end it. */
export interface AgentNetwork {
  mode: NetworkPolicy["mode"];
  /** Spread into the task's SandboxPolicy. */
  sandbox: Pick<SandboxPolicy, "network" | "proxy">;
  close(): Promise<void>;
}

/**
 * "off": the sandbox's own empty network namespace (only its own loopback). "on": the host's
 * network, unrestricted (the caller warns). "allowlist": a filtering proxy for this task,
 * reachable only through the socket the sandbox is given; close it when the task ends.
 */
export async function openAgentNetwork(
  policy: NetworkPolicy,
  options: Omit<FilteringProxyOptions, "policy"> = {},
): Promise<AgentNetwork> {
  const closed = async (): Promise<void> => {};
  if (policy.mode === "off") return { mode: "off", sandbox: { network: false }, close: closed };
  if (policy.mode === "on") return { mode: "on", sandbox: { network: true }, close: closed };
  const proxy = await startFilteringProxy({ ...options, policy });
  return {
    mode: "allowlist",
    sandbox: { network: false, proxy: { socketPath: proxy.socketPath } },
    close: () => proxy.close(),
  };
}

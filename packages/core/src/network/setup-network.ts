import type { SetupNetworkPolicy } from "../environments/types.js";
import type { SandboxBackendName, SandboxPolicy } from "../sandbox/types.js";
import type { NetworkDecision } from "./decision.js";
import { startFilteringProxy, type FilteringProxyOptions } from "./filtering-proxy.js";
import { DestinationRule, type OutboundAllowance } from "./operator-allowance.js";

/** The setup (or maintenance) phase's network: what to put in its sandbox policy, and how to end it. */
export interface SetupNetwork {
  sandbox: Pick<SandboxPolicy, "network" | "proxy">;
  close(): Promise<void>;
}

export interface SetupNetworkOptions {
  policy: SetupNetworkPolicy;
  backend: SandboxBackendName;
  /** The operator's extra destinations (config.toml `[outbound]`); none by default. */
  outbound?: OutboundAllowance;
  onDecision?: (decision: NetworkDecision) => void;
  /** Tests map names to addresses; DNS on the host by default. */
  resolve?: FilteringProxyOptions["resolve"];
}

/**
 * bwrap: the script gets its own network namespace (no host loopback, no host abstract
 * sockets), and a filtering proxy outside it with the setup rule is its only way out. Any port
 * and method: what protects the host is the destination check, done on the resolved address.
 * The container backend cannot take the proxy's socket (no forwarder in an arbitrary image),
 * so it keeps the engine's bridge network, which never is the host's network namespace; "none"
 * isolates nothing (see docs/network.md).
 */
export async function openSetupNetwork(options: SetupNetworkOptions): Promise<SetupNetwork> {
  const none = async (): Promise<void> => {};
  if (options.backend !== "bwrap") return { sandbox: { network: true }, close: none };
  const proxy = await startFilteringProxy({
    policy: { domains: [], preset: false, methods: "all" },
    setup: {
      domains: options.policy.mode === "allowlist" ? options.policy.domains : null,
      destinations: new DestinationRule(options.outbound),
    },
    ...(options.onDecision ? { onDecision: options.onDecision } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  return { sandbox: { network: false, proxy: { socketPath: proxy.socketPath } }, close: () => proxy.close() };
}

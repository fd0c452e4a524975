export { openAgentNetwork, type AgentNetwork } from "./agent-network.js";
export {
  describeReason,
  formatNetworkRefusal,
  networkRefusalItem,
  type DecisionReason,
  type NetworkDecision,
} from "./decision.js";
export { startFilteringProxy, type FilteringProxy, type FilteringProxyOptions } from "./filtering-proxy.js";
export { isPrivateAddress, matchHost, normalizeHost, type HostMatch } from "./host-rules.js";
export { NETWORK_PRESET_DOMAINS } from "./preset.js";
export { SANDBOX_PROXY_PORT } from "./sandbox-bridge.js";

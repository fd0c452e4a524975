export { openAgentNetwork, type AgentNetwork, type AgentNetworkOptions } from "./agent-network.js";
export { destinationFetch } from "./destination-fetch.js";
export {
  describeReason,
  formatNetworkRefusal,
  networkRefusalItem,
  type DecisionReason,
  type NetworkDecision,
} from "./decision.js";
export { startFilteringProxy, type FilteringProxy, type FilteringProxyOptions } from "./filtering-proxy.js";
export { isPrivateAddress, matchHost, normalizeHost, type HostMatch } from "./host-rules.js";
export { isPublicAddress } from "./destinations.js";
export { checkedLookup, DESTINATION_REFUSED, portOf, refusedLiteral } from "./checked-lookup.js";
export {
  DestinationRule,
  NO_OUTBOUND_ALLOWANCE,
  parseAllowanceEntry,
  type OutboundAllowance,
} from "./operator-allowance.js";
export { REFUSALS_SHOWN, RefusalReporter } from "./refusal-reporter.js";
export { openSetupNetwork, type SetupNetwork, type SetupNetworkOptions } from "./setup-network.js";

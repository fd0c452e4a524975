/** What the filtering proxy decided about one request, for the task's event stream and logs. */
export interface NetworkDecision {
  /** The host as the command named it (normalized), and the port it asked for. */
  host: string;
  port: number;
  /** The HTTP method, or "CONNECT" for a tunnel (HTTPS): its requests cannot be seen. */
  method: string;
  /** "http://host:port/path" for plain HTTP, "host:port" for CONNECT. */
  target: string;
  allowed: boolean;
  reason: DecisionReason;
}

export type DecisionReason =
  | "allowed"
  | "not-in-allowlist"
  | "method-not-allowed"
  | "body-not-allowed"
  | "port-not-allowed"
  | "private-address"
  | "bad-request";

const REASON_TEXT: Record<DecisionReason, string> = {
  allowed: "allowed",
  "not-in-allowlist": "not in allowlist",
  "method-not-allowed": "only GET, HEAD and OPTIONS are allowed",
  "body-not-allowed": "a request body is not allowed in safe mode",
  "port-not-allowed": "port not allowed",
  "private-address": "resolves to a private or local address",
  "bad-request": "not a proxy request",
};

export const describeReason = (reason: DecisionReason): string => REASON_TEXT[reason];

/** One line for the user: "network: blocked POST http://x.y/ (only GET, HEAD and OPTIONS are allowed)". */
export function formatNetworkRefusal(decision: NetworkDecision): string {
  return `network: blocked ${decision.method} ${decision.target} (${describeReason(decision.reason)})`;
}

/** A refusal as the item the event stream shows (an `error` item, like Codex's). */
export function networkRefusalItem(decision: NetworkDecision): { type: "error"; message: string } {
  return { type: "error", message: formatNetworkRefusal(decision) };
}

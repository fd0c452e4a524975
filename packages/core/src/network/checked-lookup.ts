/**
 * Connections the server makes itself with Node's http(s) (a workspace's webhooks, images in forge
 * comments) kept to the destination rule: the name is resolved once and the connection made to the
 * address that was checked, so a name that changes its answer in between cannot reach a private
 * address; an address written in the URL, which Node connects to without a lookup, is checked here.
 */
import { lookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import type { DestinationRule } from "./operator-allowance.js";

/** The `code` of the error a refused destination fails the request with. */
export const DESTINATION_REFUSED = "EQUIRE_DESTINATION";

/** The port a URL connects to. */
export function portOf(url: URL): number {
  return Number(url.port || (url.protocol === "https:" ? 443 : 80));
}

/** Whether the URL names an address (not a name) that the rule refuses. */
export function refusedLiteral(url: URL, rule: DestinationRule): boolean {
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  return isIP(literal) !== 0 && !rule.allows(literal, portOf(url));
}

/** A `lookup` for http(s).request: only an address the rule allows; `refusal` words the error. */
export function checkedLookup(rule: DestinationRule, port: number, refusal: (host: string) => string): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const allowed = addresses.find((entry) => rule.allows(entry.address, port));
      if (!allowed) {
        return callback(Object.assign(new Error(refusal(hostname)), { code: DESTINATION_REFUSED }), "", 4);
      }
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [allowed]);
        return;
      }
      callback(null, allowed.address, allowed.family);
    });
  };
}

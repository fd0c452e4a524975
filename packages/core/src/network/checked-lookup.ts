import { lookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import type { DestinationRule } from "./operator-allowance.js";

/** The code of the error a refused destination fails a connection with. */
export const DESTINATION_REFUSED = "EQUIRE_DESTINATION";

/**
 * A `lookup` for node's http, https and net that hands the connection only an address the rule
 * allows at `port`: the name is resolved once and the connection made to the address that was
 * checked, so a name that changes its answer in between cannot reach a private address. A name
 * with no allowed address fails with `refusal(name)` and the code `EQUIRE_DESTINATION`.
 */
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

/**
 * Whether a URL names an IP address the rule refuses at `port`. node connects to an address in
 * the URL without a lookup, so such a URL must be checked before the request is made.
 */
export function literalRefused(url: URL, port: number, rule: DestinationRule): boolean {
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  return isIP(literal) !== 0 && !rule.allows(literal, port);
}

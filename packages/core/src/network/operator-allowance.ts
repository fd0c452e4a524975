import { BlockList, isIP } from "node:net";
import { canonicalAddress, isPublicAddress } from "./destinations.js";

/**
 * Non-public destinations the OPERATOR lets setup, maintenance and repository URLs reach (a LAN
 * package mirror, a local git server, a test's fake registry). Only config.toml's
 * `[outbound] allow_private` (or a program embedding Quire) sets it: never an environment, which
 * a member or a repository controls. Each entry is an address or a CIDR range, with an optional
 * port: "127.0.0.1:4873", "10.1.0.0/16", "[fd00::5]:8080", "192.168.1.20".
 */
export interface OutboundAllowance {
  allowPrivate: readonly string[];
}

export const NO_OUTBOUND_ALLOWANCE: OutboundAllowance = Object.freeze({ allowPrivate: Object.freeze([]) });

interface AllowanceEntry {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
  /** null: every port. */
  port: number | null;
}

const ENTRY = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)|([0-9a-fA-F:]*:[0-9a-fA-F:.]*))(?:\/(\d{1,3}))?(?::(\d{1,5}))?$/;

/** Parses one entry; a message saying what is wrong, or the entry. */
export function parseAllowanceEntry(text: string): AllowanceEntry | string {
  const match = ENTRY.exec(text.trim());
  const address = match?.[1] ?? match?.[2] ?? match?.[3];
  const family = address === undefined ? 0 : isIP(address);
  // A bare IPv6 address cannot carry a port (its colons would swallow it): brackets are needed.
  if (!match || family === 0 || (match[3] !== undefined && match[5] !== undefined)) {
    return 'must be an IP address or CIDR range with an optional port, like "127.0.0.1:4873", "10.0.0.0/8" or "[fd00::1]:8080"';
  }
  const max = family === 4 ? 32 : 128;
  const prefix = match[4] === undefined ? max : Number(match[4]);
  if (prefix > max) return `the prefix must be at most /${max}`;
  const port = match[5] === undefined ? null : Number(match[5]);
  if (port !== null && (port < 1 || port > 65535)) return "the port must be between 1 and 65535";
  return { address: address!, prefix, family: family === 4 ? "ipv4" : "ipv6", port };
}

/** Decides destinations for setup and repository URLs: public addresses, plus what the operator allowed. */
export class DestinationRule {
  private readonly entries: { list: BlockList; port: number | null }[];

  constructor(allowance: OutboundAllowance = NO_OUTBOUND_ALLOWANCE) {
    this.entries = allowance.allowPrivate.map((text) => {
      const entry = parseAllowanceEntry(text);
      if (typeof entry === "string") throw new Error(`outbound.allow_private: "${text}" ${entry}`);
      const list = new BlockList();
      list.addSubnet(entry.address, entry.prefix, entry.family);
      return { list, port: entry.port };
    });
  }

  /** Whether a connection to `address`:`port` (an address already resolved, never a name) may be made. */
  allows(address: string, port: number): boolean {
    if (isPublicAddress(address)) return true;
    const normal = canonicalAddress(address);
    const family = isIP(normal) === 4 ? "ipv4" : "ipv6";
    return this.entries.some(
      (entry) => (entry.port === null || entry.port === port) && entry.list.check(normal, family),
    );
  }
}

import { isIP } from "node:net";
import type { NetworkPolicy } from "../environments/types.js";
import { isPublicAddress } from "./destinations.js";
import { NETWORK_PRESET_DOMAINS } from "../environments/network-preset.js";

/**
 * How a host got onto the allowlist. "named": the environment lists exactly this host, so
 * it may resolve anywhere (a LAN mirror, even localhost); "pattern": through "*.domain" or
 * the preset, which must not lead to the host's own or private addresses.
 */
export type HostMatch = "named" | "pattern";

/** Lower case, without a trailing dot or IPv6 brackets: the form every rule compares. */
export function normalizeHost(host: string): string {
  let normal = host.trim().toLowerCase();
  if (normal.startsWith("[") && normal.endsWith("]")) normal = normal.slice(1, -1);
  return normal.endsWith(".") ? normal.slice(0, -1) : normal;
}

const isSubdomainOf = (host: string, domain: string): boolean => host.endsWith(`.${domain}`);

/**
 * Whether `host` is allowed. A listed "example.com" allows that host only, "*.example.com"
 * its subdomains only (not the apex). Preset entries also allow their subdomains: each is a
 * registry's own host, and mirrors live below them (us.archive.ubuntu.com). An IP literal
 * passes only when listed as such: patterns and the preset never match one.
 */
export function matchHost(host: string, policy: Pick<NetworkPolicy, "domains" | "preset">): HostMatch | null {
  const normal = normalizeHost(host);
  if (normal === "") return null;
  const listed = policy.domains.map(normalizeHost);
  if (listed.includes(normal)) return "named";
  if (isIP(normal) !== 0) return null;
  for (const entry of listed) {
    if (entry.startsWith("*.") && isSubdomainOf(normal, entry.slice(2))) return "pattern";
  }
  if (!policy.preset) return null;
  for (const entry of NETWORK_PRESET_DOMAINS) {
    if (normal === entry || isSubdomainOf(normal, entry)) return "pattern";
  }
  return null;
}

/**
 * Addresses a pattern-matched host must not resolve to: anything but a public address of
 * another machine (destinations.ts: loopback, unspecified, RFC 1918, CGNAT, IPv6 unique-local,
 * link-local where cloud metadata services answer, every IPv4-in-IPv6 form of those, and this
 * host's own addresses). Without it, a wildcard or a registry's DNS could lead the proxy, which
 * runs on the host, to the host's own services.
 */
export function isPrivateAddress(address: string): boolean {
  return !isPublicAddress(address);
}

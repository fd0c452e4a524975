import { isIP } from "node:net";
import type { NetworkPolicy } from "../environments/types.js";
import { NETWORK_PRESET_DOMAINS } from "./preset.js";

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

function ipv4Parts(address: string): number[] | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped ? mapped[1]! : address;
  return isIP(v4) === 4 ? v4.split(".").map(Number) : null;
}

/**
 * Addresses a pattern-matched host must not resolve to: this machine (loopback, unspecified),
 * the local networks (RFC 1918, CGNAT, IPv6 unique-local) and link-local, where cloud metadata
 * services answer. Without it, a wildcard or a registry's DNS could lead the proxy, which runs
 * on the host, to the host's own services.
 */
export function isPrivateAddress(address: string): boolean {
  const v4 = ipv4Parts(address);
  if (v4) {
    const [a = 0, b = 0] = v4;
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  const v6 = address.toLowerCase();
  if (v6 === "::" || v6 === "::1") return true;
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return /^(f[cd][0-9a-f]{0,2}|fe[89ab][0-9a-f]?|ff[0-9a-f]{0,2}):/.test(v6);
}

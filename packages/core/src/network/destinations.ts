import { BlockList, isIP } from "node:net";
import os from "node:os";

/**
 * Which addresses count as "public" for setup, maintenance and repository URLs: everything but
 * this machine and the networks around it. The class, not a list of probes: loopback, the
 * unspecified address, RFC 1918, CGNAT, link-local (cloud metadata), unique-local, multicast,
 * broadcast and the reserved and documentation ranges, in every IPv6 form that embeds an IPv4
 * address (mapped, compatible, NAT64, 6to4); and every address of this machine's own
 * interfaces, since a service listening on 0.0.0.0 answers on the host's public address too.
 */
const NON_PUBLIC_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network", the unspecified address
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 broadcast
];

const NON_PUBLIC_V6: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // old site-local
  ["ff00::", 8], // multicast
];

const nonPublic = new BlockList();
for (const [address, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(address, prefix, "ipv6");

/** The eight 16-bit groups of an IPv6 address (already known to be valid). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split("%")[0]!;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Tail[1]!.split(".").map(Number);
    text = `${text.slice(0, -v4Tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const v4From = (high: number, low: number): string => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 address carries, where the network would deliver it to that IPv4
 * host: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64
 * (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
 */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return v4From(g[6]!, g[7]!);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4From(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4From(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4From(g[1]!, g[2]!);
  return null;
}

/** Addresses of this machine's interfaces, read each time: they change (DHCP, containers, VPNs). */
function ownAddresses(): Set<string> {
  const own = new Set<string>();
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) own.add(canonicalAddress(entry.address));
  }
  return own;
}

/** One spelling per address (IPv6 expanded), so that "::FFFF:7f00:1" and its other forms compare equal. */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  const v4 = embeddedIpv4(address);
  if (v4 !== null && ipv6Groups(address)[5] === 0xffff) return v4;
  return ipv6Groups(address)
    .map((group) => group.toString(16))
    .join(":");
}

/** True only for a valid IP address that is on the public internet and not this machine's own. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) {
    if (nonPublic.check(address, "ipv4")) return false;
  } else {
    if (nonPublic.check(address.split("%")[0]!, "ipv6")) return false;
    const v4 = embeddedIpv4(address);
    if (v4 !== null && !isPublicAddress(v4)) return false;
  }
  return !ownAddresses().has(canonicalAddress(address));
}

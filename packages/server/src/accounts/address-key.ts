/** Which client a sign-in attempt counts against, from the TCP peer address. */
import { isIPv4, isIPv6 } from "node:net";

/**
 * The key a client address is throttled under: IPv4 as is (also when a dual-stack socket shows
 * it as `::ffff:a.b.c.d`), IPv6 by its /64, since one host is usually given a whole /64 and could
 * otherwise take a fresh address for every attempt.
 */
export function throttleAddressKey(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address) || !isIPv6(address)) return address;
  return `${ipv6Prefix64(address)}::/64`;
}

/** The first four groups of an IPv6 address, "::" expanded and leading zeros dropped. */
function ipv6Prefix64(address: string): string {
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const groupsOf = (part: string | undefined): string[] =>
    // A dotted IPv4 tail stands for the last two groups.
    part ? part.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group])) : [];
  const before = groupsOf(head);
  const after = groupsOf(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - before.length - after.length).fill("0");
  return [...before, ...zeros, ...after]
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":");
}

import os from "node:os";
import { describe, expect, it } from "vitest";
import { isPublicAddress } from "./destinations.js";
import { DestinationRule, parseAllowanceEntry } from "./operator-allowance.js";

describe("isPublicAddress", () => {
  it.each([
    "127.0.0.1",
    "127.255.0.9",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::",
    "::1",
    "fe80::1",
    "fd00::2",
    "fc12::1",
    "ff02::1",
    // IPv4 inside IPv6: mapped (both spellings), compatible, NAT64, 6to4
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "::127.0.0.1",
    "64:ff9b::a00:1",
    "2002:c0a8:0101::1",
    "not an address",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"])(
    "allows %s",
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it("refuses this machine's own addresses, whatever their range", () => {
    const own = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
    for (const entry of own) expect(isPublicAddress(entry.address)).toBe(false);
  });
});

describe("the operator's allowance", () => {
  it("opens exactly the addresses, ranges and ports it names", () => {
    const rule = new DestinationRule({ allowPrivate: ["127.0.0.1:4873", "10.0.0.0/8", "[::1]:8080"] });
    expect(rule.allows("127.0.0.1", 4873)).toBe(true);
    expect(rule.allows("::ffff:127.0.0.1", 4873)).toBe(true);
    expect(rule.allows("127.0.0.1", 5432)).toBe(false);
    expect(rule.allows("127.0.0.2", 4873)).toBe(false);
    expect(rule.allows("10.200.3.4", 22)).toBe(true);
    expect(rule.allows("::1", 8080)).toBe(true);
    expect(rule.allows("::1", 8081)).toBe(false);
    expect(rule.allows("192.168.0.1", 80)).toBe(false);
    expect(rule.allows("1.1.1.1", 443)).toBe(true);
  });

  it("rejects entries that are not addresses, with a message", () => {
    for (const bad of ["localhost:80", "10.0.0.0/33", "127.0.0.1:0", "10.0.0.1:99999", "*"]) {
      expect(typeof parseAllowanceEntry(bad)).toBe("string");
    }
    expect(() => new DestinationRule({ allowPrivate: ["example.com"] })).toThrow(/outbound.allow_private/);
  });
});

import { describe, expect, it } from "vitest";
import { throttleAddressKey } from "./address-key.js";

describe("throttleAddressKey", () => {
  it("keeps IPv4 addresses, also when a dual-stack socket maps them into IPv6", () => {
    expect(throttleAddressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(throttleAddressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(throttleAddressKey("::FFFF:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts an IPv6 host by its /64, however the address is written", () => {
    const key = "2001:db8:1:2::/64";
    for (const address of [
      "2001:db8:1:2:3:4:5:6",
      "2001:db8:1:2::9",
      "2001:0DB8:0001:0002:0:0:0:1",
      "2001:db8:1:2::",
    ]) {
      expect(throttleAddressKey(address), address).toBe(key);
    }
    expect(throttleAddressKey("2001:db8:1:3::1")).not.toBe(key);
    expect(throttleAddressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(throttleAddressKey("::1")).toBe("0:0:0:0::/64");
    expect(throttleAddressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(throttleAddressKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
  });

  it("puts requests with no known peer together", () => {
    expect(throttleAddressKey(undefined)).toBe("unknown");
    expect(throttleAddressKey("")).toBe("unknown");
  });
});

import { describe, expect, it } from "vitest";
import { isPrivateAddress, matchHost } from "./host-rules.js";

const listed = (...domains: string[]) => ({ domains, preset: false });

describe("matchHost", () => {
  it("matches a listed host exactly, case and trailing dot aside", () => {
    expect(matchHost("Example.COM.", listed("example.com"))).toBe("named");
    expect(matchHost("www.example.com", listed("example.com"))).toBeNull();
    expect(matchHost("example.com.evil.test", listed("example.com"))).toBeNull();
  });

  it("matches *.domain to subdomains, not the apex or look-alikes", () => {
    const policy = listed("*.example.com");
    expect(matchHost("a.b.example.com", policy)).toBe("pattern");
    expect(matchHost("example.com", policy)).toBeNull();
    expect(matchHost("badexample.com", policy)).toBeNull();
  });

  it("includes the preset and its subdomains only when asked", () => {
    expect(matchHost("registry.npmjs.org", listed())).toBeNull();
    expect(matchHost("registry.npmjs.org", { domains: [], preset: true })).toBe("pattern");
    expect(matchHost("us.archive.ubuntu.com", { domains: [], preset: true })).toBe("pattern");
    expect(matchHost("npmjs.org", { domains: [], preset: true })).toBeNull();
  });

  it("lets an IP literal through only when listed as such", () => {
    expect(matchHost("10.0.0.5", listed("*.0.0.5"))).toBeNull();
    expect(matchHost("10.0.0.5", listed("10.0.0.5"))).toBe("named");
    expect(matchHost("[::1]", listed("::1"))).toBe("named");
  });
});

describe("isPrivateAddress", () => {
  it.each(["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"])(
    "%s is private",
    (address) => expect(isPrivateAddress(address)).toBe(true),
  );
  it.each(["::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "ff02::1"])(
    "%s is private",
    (address) => expect(isPrivateAddress(address)).toBe(true),
  );
  it.each(["8.8.8.8", "172.32.0.1", "151.101.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])("%s is public", (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});

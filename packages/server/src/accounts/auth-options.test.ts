import { describe, expect, it } from "vitest";
import { assertSafeBind, isLoopbackHost, resolveAuthOptions } from "./auth-options.js";

describe("assertSafeBind", () => {
  it("lets single-user mode listen on loopback addresses only", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) {
      expect(() => assertSafeBind(host, "local"), host).not.toThrow();
      expect(() => assertSafeBind(host, undefined), host).not.toThrow();
    }
    for (const host of ["0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1", "example.com", "128.0.0.1", "::2"]) {
      expect(() => assertSafeBind(host, "local"), host).toThrow(/without authentication/);
      expect(() => assertSafeBind(host, { mode: "local" }), host).toThrow(/127\.0\.0\.1/);
    }
    expect(() => assertSafeBind("0.0.0.0", "local")).toThrow(/every network interface/);
  });

  it("lets multi-user mode listen anywhere", () => {
    expect(() => assertSafeBind("0.0.0.0", "multi")).not.toThrow();
    expect(() => assertSafeBind("192.168.1.10", { mode: "multi", bootstrapAdmin: { email: "a@b.c" } })).not.toThrow();
  });
});

describe("isLoopbackHost", () => {
  it("knows loopback names from look-alikes", () => {
    expect(isLoopbackHost("app.localhost")).toBe(true);
    expect(isLoopbackHost("0:0:0:0:0:0:0:1")).toBe(true);
    expect(isLoopbackHost("localhost.evil.example")).toBe(false);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
  });
});

describe("resolveAuthOptions", () => {
  it("defaults to single-user mode and fills multi-user defaults", () => {
    expect(resolveAuthOptions(undefined)).toEqual({ mode: "local" });
    const multi = resolveAuthOptions({ mode: "multi" });
    expect(multi).toMatchObject({ mode: "multi", sessionTtlMs: 14 * 24 * 3_600_000 });
  });

  it("says what is wrong without echoing secrets", () => {
    const attempt = () =>
      resolveAuthOptions({
        mode: "multi",
        sessionSecret: "short-secret-value",
        bootstrapAdmin: { email: "not-an-email", password: "tiny-pw" },
        oidc: { issuer: "nope", clientId: "" },
      });
    expect(attempt).toThrow(/sessionSecret/);
    expect(attempt).toThrow(/bootstrapAdmin\.email/);
    expect(attempt).toThrow(/bootstrapAdmin\.password/);
    expect(attempt).toThrow(/oidc\.issuer/);
    expect(attempt).not.toThrow(/short-secret-value|tiny-pw/);
    expect(() => resolveAuthOptions({ mode: "other" } as never)).toThrow(/invalid auth options/);
  });
});

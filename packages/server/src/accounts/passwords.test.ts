import { describe, expect, it } from "vitest";
import { hashPassword, verifyAgainstNothing, verifyPassword } from "./passwords.js";

describe("passwords", () => {
  it("hashes with scrypt and a fresh salt, and verifies only the right password", async () => {
    const first = await hashPassword("correct horse battery");
    const second = await hashPassword("correct horse battery");
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery", first)).toBe(true);
    expect(await verifyPassword("correct horse battery", second)).toBe(true);
    expect(await verifyPassword("correct horse batterY", first)).toBe(false);
    expect(await verifyPassword("", first)).toBe(false);
  });

  it("treats a malformed stored hash as a mismatch, not an error", async () => {
    for (const stored of [
      "",
      "plain",
      "scrypt$1$2$3",
      "bcrypt$1$2$3$a$b",
      "scrypt$x$8$1$c2FsdA==$aGFzaA==",
      "scrypt$16$8$1$c2FsdA==$",
    ]) {
      expect(await verifyPassword("anything", stored), stored).toBe(false);
    }
  });

  it("spends a verification's time when there is nothing to verify against", async () => {
    expect(await verifyAgainstNothing("whatever")).toBe(false);
  });
});

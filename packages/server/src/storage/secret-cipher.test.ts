import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isEncryptedSecret, SecretCipher, SecretDecryptionError } from "./secret-cipher.js";

const row = { environmentId: "env_1", name: "NPM_TOKEN" };

function decryptionError(action: () => unknown): SecretDecryptionError {
  try {
    action();
  } catch (error) {
    if (error instanceof SecretDecryptionError) return error;
    throw error;
  }
  throw new Error("expected a SecretDecryptionError");
}

describe("SecretCipher", () => {
  it("round-trips values in the versioned format, with a fresh IV each time", () => {
    const cipher = SecretCipher.random();
    for (const value of ["s3cret", "", "ünïcødé ✓ 🔑", "a:b:c", "x".repeat(10_000)]) {
      const stored = cipher.encrypt(value, row);
      expect(stored).toMatch(/^enc:v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]*$/);
      expect(isEncryptedSecret(stored)).toBe(true);
      if (value.length > 3) expect(stored).not.toContain(value);
      expect(cipher.decrypt(stored, row)).toBe(value);
    }
    expect(cipher.encrypt("same", row)).not.toBe(cipher.encrypt("same", row));
  });

  it("binds a value to its row: copied to another environment or name, it does not decrypt", () => {
    const cipher = SecretCipher.random();
    const stored = cipher.encrypt("s3cret", row);
    const moved = decryptionError(() => cipher.decrypt(stored, { ...row, environmentId: "env_2" }));
    expect(moved.secretName).toBe("NPM_TOKEN");
    const renamed = decryptionError(() => cipher.decrypt(stored, { ...row, name: "OTHER" }));
    expect(renamed.message).toMatch(/^cannot decrypt secret OTHER: /);
    // The separator keeps ("a", "b_c") and ("a_b", "c") apart.
    const joined = cipher.encrypt("v", { environmentId: "a", name: "b_c" });
    expect(cipher.canDecrypt(joined, { environmentId: "a_b", name: "c" })).toBe(false);
    expect(cipher.canDecrypt(joined, { environmentId: "a", name: "b_c" })).toBe(true);
  });

  it("says the key differs when another key stored the value, and never shows a value", () => {
    const stored = SecretCipher.random().encrypt("s3cret-value", row);
    const error = decryptionError(() => SecretCipher.random().decrypt(stored, row));
    expect(error.message).toMatch(/cannot decrypt secret NPM_TOKEN: it was stored with a different secrets key/);
    expect(error.message).toContain("QUIRE_SECRETS_KEY");
    expect(error.message).not.toContain("s3cret-value");
    expect(error.message).not.toContain(stored.split(":")[4]);
  });

  it("refuses altered ciphertexts and tags", () => {
    const cipher = SecretCipher.random();
    const [prefix, version, iv, tag, ciphertext] = cipher.encrypt("s3cret", row).split(":") as string[];
    const flipped = Buffer.from(ciphertext!, "base64");
    flipped[0]! ^= 1;
    const otherTag = randomBytes(16).toString("base64");
    for (const altered of [
      [prefix, version, iv, tag, flipped.toString("base64")],
      [prefix, version, iv, otherTag, ciphertext],
      [prefix, version, randomBytes(12).toString("base64"), tag, ciphertext],
    ]) {
      expect(cipher.canDecrypt(altered.join(":"), row)).toBe(false);
    }
  });

  it("reads legacy plain text as it is, and refuses unknown versions and malformed values clearly", () => {
    const cipher = SecretCipher.random();
    expect(isEncryptedSecret("plain")).toBe(false);
    expect(cipher.decrypt("plain-old-value", row)).toBe("plain-old-value");
    expect(decryptionError(() => cipher.decrypt("enc:v2:abc", row)).reason).toMatch(/newer Quire/);
    for (const malformed of ["enc:v1:", "enc:v1:a:b", "enc:v1:!!!!:AAAA:AAAA", "enc:v1:AAAA:AAAA:AAAA:AAAA"]) {
      expect(decryptionError(() => cipher.decrypt(malformed, row)).reason).toMatch(/malformed/);
    }
  });

  it("takes only 32-byte keys", () => {
    expect(() => new SecretCipher(randomBytes(16))).toThrow(/32 bytes, not 16/);
  });
});

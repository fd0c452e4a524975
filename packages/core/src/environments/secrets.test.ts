import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  inspectSecrets,
  listSecrets,
  loadSecretValues,
  removeSecret,
  SecretStoreError,
  secretsFile,
  secretVersion,
  setSecret,
} from "./secrets.js";

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "quire-secrets-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("secret store", () => {
  it("creates secrets.toml with mode 0600, even under a permissive umask", async () => {
    const nested = path.join(home, "fresh-home");
    const previous = process.umask(0);
    try {
      await setSecret(nested, "API_TOKEN", "tok-1234");
    } finally {
      process.umask(previous);
    }
    expect((await stat(secretsFile(nested))).mode & 0o777).toBe(0o600);
    expect((await stat(nested)).mode & 0o077).toBe(0);
  });

  it("stores, lists (names and versions only), loads and removes secrets", async () => {
    const ref = await setSecret(home, "API_TOKEN", 'tok "quoted"\nline');
    await setSecret(home, "DB_PASSWORD", "hunter22");
    expect(ref).toStrictEqual({ name: "API_TOKEN", version: secretVersion("API_TOKEN", 'tok "quoted"\nline') });
    expect(ref.version).toMatch(/^[0-9a-f]{12}$/);
    const listed = await listSecrets(home);
    expect(listed.map((s) => s.name)).toStrictEqual(["API_TOKEN", "DB_PASSWORD"]);
    expect(JSON.stringify(listed)).not.toContain("hunter22");
    expect(await loadSecretValues(home, ["DB_PASSWORD", "API_TOKEN"])).toStrictEqual({
      DB_PASSWORD: "hunter22",
      API_TOKEN: 'tok "quoted"\nline',
    });
    expect(await removeSecret(home, "DB_PASSWORD")).toBe(true);
    expect(await removeSecret(home, "DB_PASSWORD")).toBe(false);
    expect((await listSecrets(home)).map((s) => s.name)).toStrictEqual(["API_TOKEN"]);
  });

  it("changes the version when the value changes, and only then", async () => {
    const first = await setSecret(home, "API_TOKEN", "value-one");
    const same = await setSecret(home, "API_TOKEN", "value-one");
    const second = await setSecret(home, "API_TOKEN", "value-two");
    expect(same.version).toBe(first.version);
    expect(second.version).not.toBe(first.version);
    // The name is part of the hash: equal values of two secrets do not look alike.
    expect(secretVersion("OTHER", "value-one")).not.toBe(first.version);
    expect((await inspectSecrets(home, ["API_TOKEN"]))[0]?.version).toBe(second.version);
  });

  it("names a missing secret and how to set it", async () => {
    await setSecret(home, "PRESENT", "value-1");
    const error = await loadSecretValues(home, ["PRESENT", "MISSING_ONE"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect((error as Error).message).toMatch(/MISSING_ONE not in .*secrets\.toml.*quire env secret set MISSING_ONE/);
    await expect(loadSecretValues(path.join(home, "none"), ["X_KEY"])).rejects.toThrow(/X_KEY/);
  });

  it("refuses a store that others can read, saying chmod 600", async () => {
    await setSecret(home, "API_TOKEN", "value-1");
    for (const mode of [0o640, 0o604, 0o620]) {
      await chmod(secretsFile(home), mode);
      await expect(loadSecretValues(home, ["API_TOKEN"])).rejects.toThrow(/chmod 600/);
      await expect(listSecrets(home)).rejects.toThrow(/other users/);
      await expect(setSecret(home, "OTHER", "value-2")).rejects.toThrow(/chmod 600/);
    }
    await chmod(secretsFile(home), 0o600);
    expect(await loadSecretValues(home, ["API_TOKEN"])).toStrictEqual({ API_TOKEN: "value-1" });
  });

  it("rejects bad names and empty values; reports bad TOML without quoting it", async () => {
    await expect(setSecret(home, "BAD-NAME", "v")).rejects.toThrow(/invalid secret name/);
    await expect(setSecret(home, "EMPTY", "")).rejects.toThrow(/empty/);
    await writeFile(secretsFile(home), 'API_TOKEN = "sk-LEAKY', { mode: 0o600 });
    const error = (await listSecrets(home).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/secrets\.toml:1:\d+: invalid TOML/);
    expect(error.message).not.toContain("LEAKY");
  });

  it("keeps a secret named __proto__ as a plain entry", async () => {
    await setSecret(home, "__proto__", "proto-value");
    const values = await loadSecretValues(home, ["__proto__"]);
    expect(Object.keys(values)).toStrictEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(values, "__proto__")?.value).toBe("proto-value");
    expect(await readFile(secretsFile(home), "utf8")).toContain("__proto__");
  });
});

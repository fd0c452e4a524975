import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSecretsKey, secretsKeyFile, SecretsKeyError } from "./secrets-key.js";

const homes: string[] = [];
afterEach(async () => {
  while (homes.length > 0) await rm(homes.pop()!, { recursive: true, force: true });
});

async function newHome(): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), "quire-secrets-key-"));
  homes.push(home);
  return home;
}

async function keyError(promise: Promise<unknown>): Promise<SecretsKeyError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SecretsKeyError);
  return error as SecretsKeyError;
}

describe("loadSecretsKey", () => {
  it("uses QUIRE_SECRETS_KEY when set, and makes no file", async () => {
    const home = await newHome();
    const key = randomBytes(32);
    for (const fromEnvironment of [key.toString("base64"), ` ${key.toString("base64")}\n`]) {
      const loaded = await loadSecretsKey({ home, fromEnvironment });
      expect(loaded).toEqual({ key, source: "QUIRE_SECRETS_KEY", created: false });
    }
    // Unpadded base64 is the same key.
    const unpadded = await loadSecretsKey({ home, fromEnvironment: key.toString("base64").replace(/=$/, "") });
    expect(unpadded.key).toEqual(key);
    expect(await readdir(home)).toEqual([]);
  });

  it("refuses a malformed QUIRE_SECRETS_KEY, saying what is wrong and how to make one, without quoting it", async () => {
    const home = await newHome();
    const cases: [string, RegExp][] = [
      ["not base64 at all!", /it is not base64/],
      ["c2hvcnQ=", /it decodes to 5 bytes, not 32/],
      [randomBytes(48).toString("base64"), /it decodes to 48 bytes, not 32/],
      [`${randomBytes(32).toString("base64")}=`, /it has 45 characters, not 44/],
    ];
    for (const [fromEnvironment, problem] of cases) {
      const error = await keyError(loadSecretsKey({ home, fromEnvironment }));
      expect(error.message).toMatch(/^QUIRE_SECRETS_KEY is not a valid secrets key: /);
      expect(error.message).toMatch(problem);
      expect(error.message).toContain("openssl rand -base64 32");
      expect(error.message).not.toContain(fromEnvironment);
    }
    expect(await readdir(home)).toEqual([]);
  });

  it("creates secrets.key with mode 0600 on first use (empty QUIRE_SECRETS_KEY counts as unset), then reuses it", async () => {
    const home = path.join(await newHome(), "not-yet");
    const first = await loadSecretsKey({ home, fromEnvironment: "" });
    const file = secretsKeyFile(home);
    expect(first).toMatchObject({ source: file, created: true });
    expect(first.key).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).trim()).toBe(first.key.toString("base64"));
    const again = await loadSecretsKey({ home });
    expect(again).toEqual({ key: first.key, source: file, created: false });
  });

  it("agrees on one key when many processes create it at once, leaving no temporary file", async () => {
    const home = await newHome();
    const loaded = await Promise.all(Array.from({ length: 12 }, () => loadSecretsKey({ home })));
    const keys = new Set(loaded.map((result) => result.key.toString("base64")));
    expect(keys.size).toBe(1);
    expect(loaded.filter((result) => result.created)).toHaveLength(1);
    expect((await readFile(secretsKeyFile(home), "utf8")).trim()).toBe([...keys][0]);
    expect(await readdir(home)).toEqual(["secrets.key"]);
  });

  it("refuses a malformed key file, saying how to recover", async () => {
    const home = await newHome();
    const file = secretsKeyFile(home);
    for (const [content, problem] of [
      ["", /it is empty/],
      ["short\n", /it decodes to 3 bytes, not 32/],
    ] as const) {
      await writeFile(file, content, { mode: 0o600 });
      const error = await keyError(loadSecretsKey({ home }));
      expect(error.message).toContain(`the secrets key ${file} is not valid`);
      expect(error.message).toMatch(problem);
      expect(error.message).toMatch(/Restore the file/);
    }
  });

  it("refuses a key file others may read", async () => {
    const home = await newHome();
    await loadSecretsKey({ home });
    const file = secretsKeyFile(home);
    await chmod(file, 0o644);
    const error = await keyError(loadSecretsKey({ home }));
    expect(error.message).toContain(`(mode 644); run \`chmod 600 ${file}\``);
  });
});

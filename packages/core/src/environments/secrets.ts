/**
 * The secret store: `secrets.toml` in Quire's home, one `NAME = "value"` per secret. It is
 * created with mode 0600 and refused when others may read it. Values are read only to run a
 * setup script (and to redact them); everything else sees names and versions.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse, stringify, TomlError } from "smol-toml";
import { VARIABLE_NAME } from "./definition-schema.js";
import { MIN_REDACTED_LENGTH } from "./redact.js";
import type { SecretRef } from "./types.js";

export const SECRETS_FILE_NAME = "secrets.toml";

export class SecretStoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = "SecretStoreError";
  }
}

/** First 12 hex digits of sha256(name + value): changes with the value, reveals nothing useful. */
export function secretVersion(name: string, value: string): string {
  return createHash("sha256").update(name).update(value).digest("hex").slice(0, 12);
}

export function secretsFile(home: string): string {
  return path.join(home, SECRETS_FILE_NAME);
}

function checkName(name: string): void {
  if (!VARIABLE_NAME.test(name)) {
    throw new Error(`invalid secret name ${JSON.stringify(name)}: use letters, digits and _ (like API_TOKEN)`);
  }
}

/** Every stored secret; a missing file is an empty store. */
async function readStore(home: string): Promise<Record<string, string>> {
  const file = secretsFile(home);
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Object.create(null) as Record<string, string>;
    throw new SecretStoreError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  // Refuse rather than use secrets that others on the machine may already have read.
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new SecretStoreError(
      `${file} is readable or writable by other users (mode ${mode}); run \`chmod 600 ${file}\` and rotate any secret that may have leaked`,
      file,
    );
  }
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8"));
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // Only the position: TOML errors quote the offending line, which would print a secret.
    throw new SecretStoreError(`${file}:${error.line}:${error.column}: invalid TOML`, file);
  }
  // No prototype: a secret named __proto__ must be stored, not change the object.
  const store = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== "string" || !VARIABLE_NAME.test(name)) {
      throw new SecretStoreError(`${file}: ${name}: expected NAME = "value" (a string)`, file);
    }
    store[name] = value;
  }
  return store;
}

/** Writes the whole store through a 0600 temporary file, so no moment exposes it or half of it. */
async function writeStore(home: string, store: Record<string, string>): Promise<void> {
  const file = secretsFile(home);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  const body = `# Quire's secrets: values by name. Keep this file mode 0600.\n${stringify(store)}\n`;
  await writeFile(temporary, body, { mode: 0o600 });
  // The mode given to writeFile is reduced by the umask; make sure it is exactly 0600.
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/** The values of `names`; a name missing from the store is an error that says how to set it. */
export async function loadSecretValues(home: string, names: readonly string[]): Promise<Record<string, string>> {
  const store = await readStore(home);
  const missing = names.filter((name) => !Object.hasOwn(store, name));
  if (missing.length > 0) {
    const how = missing.map((name) => `quire env secret set ${name}`).join("; ");
    throw new SecretStoreError(
      `secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not in ${secretsFile(home)}; set with: ${how} (the value is read from stdin)`,
      secretsFile(home),
    );
  }
  return Object.fromEntries(names.map((name) => [name, store[name] as string]));
}

/** Names and versions of every stored secret, sorted by name; never the values. */
export async function listSecrets(home: string): Promise<SecretRef[]> {
  const store = await readStore(home);
  return Object.keys(store)
    .sort()
    .map((name) => ({ name, version: secretVersion(name, store[name] as string) }));
}

/** For each name: its version, or null when it is not stored, and whether it is long enough to be redacted. */
export async function inspectSecrets(
  home: string,
  names: readonly string[],
): Promise<{ name: string; version: string | null; redactable: boolean }[]> {
  const store = await readStore(home);
  return names.map((name) => {
    const value = Object.hasOwn(store, name) ? (store[name] as string) : null;
    return {
      name,
      version: value === null ? null : secretVersion(name, value),
      redactable: value !== null && value.length >= MIN_REDACTED_LENGTH,
    };
  });
}

export async function setSecret(home: string, name: string, value: string): Promise<SecretRef> {
  checkName(name);
  if (value === "") throw new Error(`secret ${name}: the value is empty`);
  const store = await readStore(home);
  store[name] = value;
  await writeStore(home, store);
  return { name, version: secretVersion(name, value) };
}

/** Resolves to false when there was no such secret. */
export async function removeSecret(home: string, name: string): Promise<boolean> {
  checkName(name);
  const store = await readStore(home);
  if (!Object.hasOwn(store, name)) return false;
  delete store[name];
  await writeStore(home, store);
  return true;
}

/**
 * The key that encrypts environment secrets at rest: `QUIRE_SECRETS_KEY` (base64 of 32 bytes)
 * when set, otherwise `secrets.key` in Quire's home, created on first use with mode 0600. Every
 * process sharing one database needs the same key, so a cluster sets QUIRE_SECRETS_KEY on each.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { SECRETS_KEY_BYTES } from "./secret-cipher.js";

export const SECRETS_KEY_ENV = "QUIRE_SECRETS_KEY";
export const SECRETS_KEY_FILE_NAME = "secrets.key";
/** 32 bytes in standard base64: 43 characters and one `=` (which may be left out). */
const ENCODED_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const HOW_TO_MAKE_ONE = `the base64 of ${SECRETS_KEY_BYTES} random bytes (44 characters), e.g. from \`openssl rand -base64 32\``;

/** A missing, malformed or exposed key: the process must not start. The message says how to fix it. */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretsKeyError";
  }
}

export interface SecretsKey {
  key: Buffer;
  /** `QUIRE_SECRETS_KEY`, or the key file's path: for logs. */
  source: string;
  /** True when this call made the key file. */
  created: boolean;
}

export function secretsKeyFile(home: string): string {
  return path.join(home, SECRETS_KEY_FILE_NAME);
}

/** `fromEnvironment` is QUIRE_SECRETS_KEY's value; empty counts as unset, like QUIRE_HOME. */
export async function loadSecretsKey(options: { home: string; fromEnvironment?: string }): Promise<SecretsKey> {
  const text = options.fromEnvironment?.trim();
  if (text) {
    const problem = keyProblem(text);
    if (problem !== undefined) {
      throw new SecretsKeyError(
        `${SECRETS_KEY_ENV} is not a valid secrets key: ${problem}. It must be ${HOW_TO_MAKE_ONE}, ` +
          "and the same on every server and worker that shares the database.",
      );
    }
    return { key: Buffer.from(text, "base64"), source: SECRETS_KEY_ENV, created: false };
  }
  const file = secretsKeyFile(options.home);
  const existing = await readKeyFile(file);
  if (existing) return { key: existing, source: file, created: false };
  return createKeyFile(file);
}

/** What is wrong with an encoded key, never quoting it (it is a secret); undefined when it is fine. */
function keyProblem(text: string): string | undefined {
  if (ENCODED_KEY.test(text)) return undefined;
  if (text === "") return "it is empty";
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return "it is not base64";
  const bytes = Buffer.from(text, "base64").length;
  if (bytes !== SECRETS_KEY_BYTES) return `it decodes to ${bytes} bytes, not ${SECRETS_KEY_BYTES}`;
  return `it has ${text.length} characters, not 44`;
}

/** The key in `file`, or undefined when there is no file yet. */
async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SecretsKeyError(`cannot read the secrets key ${file}: ${(error as Error).message}`);
  }
  // Like secrets.toml: refuse a key that others on the machine may already have read.
  if ((mode & 0o077) !== 0) {
    throw new SecretsKeyError(
      `the secrets key ${file} is readable or writable by other users (mode ${(mode & 0o777).toString(8)}); ` +
        `run \`chmod 600 ${file}\``,
    );
  }
  const text = (await readFile(file, "utf8")).trim();
  const problem = keyProblem(text);
  if (problem !== undefined) {
    throw new SecretsKeyError(
      `the secrets key ${file} is not valid: ${problem}. It must hold ${HOW_TO_MAKE_ONE}. Restore the file ` +
        "that stored this server's secrets; if it is lost, remove the file (a new key is made at the next start) " +
        "and set every environment secret again, since secrets stored with the old key cannot be read.",
    );
  }
  return Buffer.from(text, "base64");
}

/**
 * Writes a new key to a private temporary file, then links it into place. A link, unlike a
 * rename, never replaces a key another process made meanwhile (and may already have used): the
 * process that loses the race reads the winner's key instead, so all agree on one.
 */
async function createKeyFile(file: string): Promise<SecretsKey> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(SECRETS_KEY_BYTES);
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      // The mode given to open is reduced by the umask; make it exactly 0600.
      await handle.chmod(0o600);
      await handle.writeFile(`${key.toString("base64")}\n`);
      // On disk before it is visible: a key lost in a crash would make every stored secret unreadable.
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const winner = await readKeyFile(file);
      if (!winner) throw new SecretsKeyError(`the secrets key ${file} vanished while it was being created`);
      return { key: winner, source: file, created: false };
    }
    return { key, source: file, created: true };
  } catch (error) {
    if (error instanceof SecretsKeyError) throw error;
    throw new SecretsKeyError(`cannot create the secrets key ${file}: ${(error as Error).message}`);
  } finally {
    await rm(temporary, { force: true });
  }
}

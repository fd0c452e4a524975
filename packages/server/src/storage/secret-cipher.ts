/**
 * Environment secrets at rest: AES-256-GCM with a random 96-bit IV per value, stored as
 * `enc:v1:<iv>:<tag>:<ciphertext>` (base64). The additional authenticated data names the row
 * (environment id + secret name), so a value copied into another row does not decrypt there.
 * Values without the `enc:` prefix were stored before encryption and are read as they are.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const SECRETS_KEY_BYTES = 32;
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Every encrypted value starts with this; the version after it says how to read the rest. */
const ENCRYPTED_PREFIX = "enc:";
const CURRENT_FORMAT = "v1";
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The row a value belongs to: bound into the ciphertext as additional authenticated data. */
export interface SecretRow {
  environmentId: string;
  name: string;
}

/** A stored value this key cannot read. The message names the secret, never a value. */
export class SecretDecryptionError extends Error {
  constructor(
    readonly secretName: string,
    readonly reason: string,
  ) {
    super(`cannot decrypt secret ${secretName}: ${reason}`);
    this.name = "SecretDecryptionError";
  }
}

export const WRONG_KEY_REASON =
  "it was stored with a different secrets key than this process has (QUIRE_SECRETS_KEY, or else secrets.key in " +
  "Quire's home); give every server and worker the key that stored it, or set the secret again";

/** Whether a stored value is in an encrypted format (any version), rather than legacy plain text. */
export function isEncryptedSecret(stored: string): boolean {
  return stored.startsWith(ENCRYPTED_PREFIX);
}

export class SecretCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== SECRETS_KEY_BYTES) {
      throw new Error(`a secrets key has ${SECRETS_KEY_BYTES} bytes, not ${key.length}`);
    }
    // A copy: the caller's buffer may be reused or wiped.
    this.key = Buffer.from(key);
  }

  /** A cipher with a fresh random key: for tests, which must exercise encryption too. */
  static random(): SecretCipher {
    return new SecretCipher(randomBytes(SECRETS_KEY_BYTES));
  }

  encrypt(value: string, row: SecretRow): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(row));
    const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64"));
    return `${ENCRYPTED_PREFIX}${CURRENT_FORMAT}:${parts.join(":")}`;
  }

  /** The value of a stored secret; legacy plain text comes back as it is. Throws SecretDecryptionError. */
  decrypt(stored: string, row: SecretRow): string {
    if (!isEncryptedSecret(stored)) return stored;
    const [version, ...parts] = stored.slice(ENCRYPTED_PREFIX.length).split(":");
    if (version !== CURRENT_FORMAT) {
      throw new SecretDecryptionError(row.name, `its format (enc:${version}) is from a newer Quire than this one`);
    }
    const [iv, tag, ciphertext] = parts.map(decodeBase64);
    if (parts.length !== 3 || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) {
      throw new SecretDecryptionError(row.name, "the stored value is malformed; set the secret again");
    }
    const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(row));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch {
      // GCM cannot tell a different key from a value altered or moved from another row; a
      // different key is by far the likelier, and what the operator can act on.
      throw new SecretDecryptionError(row.name, WRONG_KEY_REASON);
    }
  }

  /** Whether this key reads the stored value (legacy plain text always reads). */
  canDecrypt(stored: string, row: SecretRow): boolean {
    try {
      this.decrypt(stored, row);
      return true;
    } catch (error) {
      if (error instanceof SecretDecryptionError) return false;
      throw error;
    }
  }
}

/** NUL separates the parts: neither an id nor a secret name can contain it, so no two rows share AAD. */
function additionalData(row: SecretRow): Buffer {
  return Buffer.from(`quire.environment_secret\0${row.environmentId}\0${row.name}`, "utf8");
}

function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}

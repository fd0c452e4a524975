/**
 * Secrets stored before encryption at rest are plain text. At start a process encrypts them in
 * place, each with a conditional update (only if the row still holds that plain text), so it is
 * idempotent and several processes starting at once do it once between them.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { isEncryptedSecret, type SecretCipher } from "./secret-cipher.js";

export interface LegacySecretsReport {
  /** Plain-text values this call encrypted. */
  encrypted: number;
  /** Plain-text values left as they are, because this key cannot read the encrypted ones. */
  skipped: number;
  /** Encrypted values this key cannot decrypt: it differs from the key that stored them. */
  unreadable: number;
}

export async function encryptLegacySecrets(db: Kysely<Database>, cipher: SecretCipher): Promise<LegacySecretsReport> {
  const rows = await db.selectFrom("environment_secrets").select(["environment_id", "name", "value"]).execute();
  const legacy = rows.filter((row) => !isEncryptedSecret(row.value));
  const unreadable = rows.filter(
    (row) => isEncryptedSecret(row.value) && !cipher.canDecrypt(row.value, rowOf(row)),
  ).length;
  // A process with a key the rest of the cluster does not share would make these unreadable to all others.
  if (unreadable > 0) return { encrypted: 0, skipped: legacy.length, unreadable };
  let encrypted = 0;
  for (const row of legacy) {
    const result = await db
      .updateTable("environment_secrets")
      // The version stays: the value did not change, so snapshot caches keyed on it stay valid.
      .set({ value: cipher.encrypt(row.value, rowOf(row)) })
      .where("environment_id", "=", row.environment_id)
      .where("name", "=", row.name)
      .where("value", "=", row.value)
      .executeTakeFirst();
    encrypted += Number(result.numUpdatedRows);
  }
  return { encrypted, skipped: 0, unreadable };
}

function rowOf(row: { environment_id: string; name: string }): { environmentId: string; name: string } {
  return { environmentId: row.environment_id, name: row.name };
}

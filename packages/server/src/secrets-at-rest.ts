/**
 * What a process does at start so environment secrets are encrypted at rest: load (or make) the
 * key, encrypt values stored before encryption existed, and warn when this key cannot read the
 * values already encrypted (another process of the cluster has a different key).
 */
import type { Logger } from "pino";
import {
  encryptLegacySecrets,
  loadSecretsKey,
  SecretCipher,
  SECRETS_KEY_ENV,
  type StorageDatabase,
} from "./storage/index.js";

export async function openSecretsAtRest(options: {
  home: string;
  /** QUIRE_SECRETS_KEY's value. */
  secretsKey: string | undefined;
  database: Pick<StorageDatabase, "db" | "dialect">;
  logger: Logger;
}): Promise<SecretCipher> {
  const { database, logger } = options;
  const key = await loadSecretsKey({ home: options.home, fromEnvironment: options.secretsKey });
  const cipher = new SecretCipher(key.key);
  const shared = database.dialect === "postgres" && key.source !== SECRETS_KEY_ENV;
  logger.info(
    { source: key.source, created: key.created },
    shared
      ? `secrets key from ${key.source}; servers and workers on other machines need the same key: set ${SECRETS_KEY_ENV} on each`
      : `secrets key from ${key.source}`,
  );
  const report = await encryptLegacySecrets(database.db, cipher);
  if (report.encrypted > 0) logger.info({ encrypted: report.encrypted }, "encrypted secrets stored in plain text");
  if (report.unreadable > 0) {
    logger.warn(
      { unreadable: report.unreadable, plainTextLeft: report.skipped },
      `${report.unreadable} environment secret(s) were stored with a different secrets key than this process's ` +
        `(${key.source}): tasks that need them will fail until every server and worker has the same ` +
        `${SECRETS_KEY_ENV}, or the secrets are set again`,
    );
  }
  return cipher;
}

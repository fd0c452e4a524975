/**
 * Fresh, migrated databases for tests, one of each dialect, so one suite runs against both.
 * PostgreSQL gets a new schema per database (dropped on cleanup); SQLite a file in a temp folder.
 * Kept free of vitest so the server's later test suites (API, queue) can use it too.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, redact, type DialectName, type StorageDatabase } from "../src/storage/database.js";
import { migrateToLatest } from "../src/storage/migrate.js";
import { SecretCipher } from "../src/storage/secret-cipher.js";

export const TEST_DIALECTS: DialectName[] = ["sqlite", "postgres"];

export function testPostgresUrl(): string {
  return process.env.QUIRE_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
}

export interface TestDatabase extends StorageDatabase {
  /** A random key per database, so every test that stores a secret exercises encryption. */
  secretCipher: SecretCipher;
  /** Closes the database and removes everything it created. */
  cleanup(): Promise<void>;
}

export async function openTestDatabase(
  dialect: DialectName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const opened = dialect === "sqlite" ? await openTestSqlite() : await openTestPostgres();
  if (options.migrate !== false) await migrateWhileOthersCleanUp(opened.db);
  return opened;
}

async function openTestSqlite(): Promise<TestDatabase> {
  const home = await mkdtemp(path.join(os.tmpdir(), "quire-storage-"));
  const database = openDatabase({ home });
  return {
    ...database,
    secretCipher: SecretCipher.random(),
    cleanup: async () => {
      await database.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

async function openTestPostgres(): Promise<TestDatabase> {
  const url = testPostgresUrl();
  const schema = `quire_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(url, `create schema ${schema}`);
  const database = openDatabase({ url, home: os.tmpdir(), schema });
  return {
    ...database,
    secretCipher: SecretCipher.random(),
    cleanup: async () => {
      await database.close();
      await adminQuery(url, `drop schema if exists ${schema} cascade`);
    },
  };
}

/** One statement on its own connection (schemas come and go), with a clear error when PostgreSQL is down. */
export async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    // Not a skip: the PostgreSQL half of the suite is required, locally and on CI.
    throw new Error(
      `PostgreSQL is not reachable at ${redact(url)} (${error instanceof Error ? error.message : String(error)}). ` +
        "The storage tests run against it as well as SQLite. Start it with trust auth and a database named test, " +
        "e.g. `docker run -d -p 127.0.0.1:5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:16`, " +
        "or `sudo service postgresql start && sudo -u postgres createdb test`, or point QUIRE_TEST_DATABASE_URL at one.",
      { cause: error },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Kysely's migrator lists the tables of every schema; when a parallel test file drops its schema
 * during that listing, PostgreSQL answers "schema … does not exist". Only tests share a database
 * with schemas coming and going, so only they retry.
 */
async function migrateWhileOthersCleanUp(db: TestDatabase["db"]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(db);
      return;
    } catch (error) {
      const vanished = /schema "?quire_\w+"? does not exist/.test(String((error as Error).message));
      if (!vanished || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** The two databases `quire serve` runs on in tests: SQLite in its home, and a fresh PostgreSQL schema. */
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface ServerDatabase {
  name: "sqlite" | "postgres";
  /** Environment for `quire serve` / `quire worker` (empty for SQLite: the embedded default). */
  env(): Promise<Record<string, string>>;
}

export function postgresUrl(): string {
  return process.env.QUIRE_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
}

/** A new, empty schema in the test database; dropped by `dropSchemas`. */
export async function newPostgresSchema(): Promise<string> {
  const schema = `quire_e2e_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  return schema;
}

export function serverDatabases(): ServerDatabase[] {
  return [
    { name: "sqlite", env: async () => ({}) },
    {
      name: "postgres",
      env: async () => ({ DATABASE_URL: postgresUrl(), QUIRE_DATABASE_SCHEMA: await newPostgresSchema() }),
    },
  ];
}

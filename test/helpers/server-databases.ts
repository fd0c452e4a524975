/** The two databases `quire serve` runs on in tests: SQLite in its home, and a fresh PostgreSQL schema. */
import { randomBytes } from "node:crypto";
import { adminQuery, testPostgresUrl } from "../../packages/server/testing/databases.js";

export interface ServerDatabase {
  name: "sqlite" | "postgres";
  /** Environment for `quire serve` / `quire worker` (empty for SQLite: the embedded default). */
  env(): Promise<Record<string, string>>;
}

/** The test database (QUIRE_TEST_DATABASE_URL, else 127.0.0.1:5432/test), as the storage tests use. */
export const postgresUrl = testPostgresUrl;

const created: string[] = [];

/** A new, empty schema in the test database; dropped by `dropPostgresSchemas`. */
export async function newPostgresSchema(): Promise<string> {
  const schema = `quire_e2e_${randomBytes(5).toString("hex")}`;
  await adminQuery(postgresUrl(), `create schema ${schema}`);
  created.push(schema);
  return schema;
}

/**
 * Drops the schemas this test file made, with the queue's schema `quire serve` made beside each
 * (`<schema>_queue`). Call it in the file's `afterAll`, after the servers using them stopped.
 */
export async function dropPostgresSchemas(): Promise<void> {
  const schemas = created.splice(0).flatMap((schema) => [schema, `${schema}_queue`]);
  if (schemas.length === 0) return;
  await adminQuery(postgresUrl(), `drop schema if exists ${schemas.join(", ")} cascade`);
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

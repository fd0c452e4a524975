import { Migrator, PostgresAdapter, sql, type Kysely, type MigrationResult } from "kysely";
import { migrationProvider } from "./migrations/index.js";
import type { Database } from "./schema.js";

/**
 * Brings the schema up to date; a no-op when it already is. Kysely's Migrator takes a lock
 * (an advisory lock on PostgreSQL), so several servers and workers starting at once are safe.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${describe(error)}`, { cause: error });
  }
  return results ?? [];
}

/**
 * The migrator of this database's schema. Kysely looks for its migration tables in every schema
 * unless told one; on PostgreSQL with several schemas in one database (installs sharing it,
 * parallel tests) it would find another schema's lock table, skip creating its own and fail.
 */
export async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  const migrationTableSchema = await postgresSchema(db);
  return new Migrator({ db, provider: migrationProvider, migrationTableSchema });
}

async function postgresSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { Migrator, type Kysely, type MigrationResult } from "kysely";
import { migrationProvider } from "./migrations/index.js";
import type { Database } from "./schema.js";

/**
 * Brings the schema up to date; a no-op when it already is. Kysely's Migrator takes a lock
 * (an advisory lock on PostgreSQL), so several servers and workers starting at once are safe.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${describe(error)}`, { cause: error });
  }
  return results ?? [];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

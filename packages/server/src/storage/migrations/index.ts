/**
 * Migrations are TypeScript modules compiled with the server, listed here in order, so they ship
 * inside dist/ and need no folder scanning at run time. Names sort in the order they apply.
 */
import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./0001-initial.js";

const migrations: Record<string, Migration> = {
  "0001-initial": initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

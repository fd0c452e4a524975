import { afterAll, beforeAll } from "vitest";
import type { DialectName } from "../src/storage/database.js";
import { createRepos, type Repos } from "../src/storage/index.js";
import { openTestDatabase, type TestDatabase } from "./databases.js";

export interface TestRepos {
  database: TestDatabase;
  repos: Repos;
}

/**
 * Opens a fresh test database (and its repos) for the tests of one `describe`, dropped after
 * them. The returned object is filled by `beforeAll`: read its fields inside tests.
 */
export function useTestRepos(dialect: DialectName): TestRepos {
  const context = {} as TestRepos; // filled before any test runs
  beforeAll(async () => {
    context.database = await openTestDatabase(dialect);
    context.repos = createRepos(context.database);
  });
  afterAll(async () => {
    await context.database?.cleanup();
  });
  return context;
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "./index.js";
import { KEEP_DELIVERIES_MS } from "./forges-repo.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";

describe.each(TEST_DIALECTS)("forge deliveries on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
  });
  afterAll(async () => database?.cleanup());

  it("passes a delivery id once, per forge, even when copies race; forgets ids after the keeping time", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const racing = await Promise.all(Array.from({ length: 8 }, () => repos.forges.firstDelivery("github", "d1", now)));
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await repos.forges.firstDelivery("gitea", "d1", now)).toBe(true);
    const later = new Date(now.getTime() + KEEP_DELIVERIES_MS + 1000);
    expect(await repos.forges.firstDelivery("github", "d2", later)).toBe(true);
    expect(await repos.forges.firstDelivery("github", "d1", later)).toBe(true);
  });
});

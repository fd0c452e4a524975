import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "./index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "./test-databases.js";

describe.each(TEST_DIALECTS)("repositories and environments on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("stores repositories", async () => {
    const local = await repos.repositories.create({ name: "zeta", source: "/home/me/zeta" });
    const remote = await repos.repositories.create({
      name: "alpha",
      source: "https://example.com/a.git",
      defaultBranch: "trunk",
    });
    expect(await repos.repositories.get(local.id)).toEqual({ ...local, defaultBranch: "main" });
    expect((await repos.repositories.list()).map((repository) => repository.name)).toEqual(["alpha", "zeta"]);
    expect(remote.defaultBranch).toBe("trunk");
    expect(await repos.repositories.delete(remote.id)).toBe(true);
    expect(await repos.repositories.get(remote.id)).toBeUndefined();
  });

  it("round-trips an environment definition as JSON", async () => {
    const repository = await repos.repositories.create({ name: "env", source: "/env" });
    const definition = {
      setup: 'npm ci\necho "ready ✓"',
      network: { mode: "allowlist", domains: ["registry.npmjs.org"], methods: ["GET", "HEAD"] },
      limits: { memoryMb: 2048, wallTimeS: 600, nothing: null },
      env: { EMPTY: "" },
    };
    const environment = await repos.environments.create({ repositoryId: repository.id, name: "default", definition });
    expect((await repos.environments.get(environment.id))?.definition).toEqual(definition);
    const changed = { ...definition, setup: "pnpm i" };
    expect(await repos.environments.updateDefinition(environment.id, changed, new Date("2031-01-01T00:00:00Z"))).toBe(
      true,
    );
    expect(await repos.environments.get(environment.id)).toMatchObject({
      definition: changed,
      updatedAt: "2031-01-01T00:00:00.000Z",
    });
    expect((await repos.environments.listForRepository(repository.id)).map((e) => e.id)).toEqual([environment.id]);
    const duplicate = repos.environments.create({ repositoryId: repository.id, name: "default", definition: {} });
    await expect(duplicate).rejects.toThrow(/unique|constraint/i);
  });

  it("versions secrets and lists them without their values", async () => {
    const repository = await repos.repositories.create({ name: "sec", source: "/sec" });
    const environment = await repos.environments.create({ repositoryId: repository.id, name: "ci", definition: {} });
    expect(await repos.environments.setSecret(environment.id, "NPM_TOKEN", "one")).toMatchObject({ version: 1 });
    expect(await repos.environments.setSecret(environment.id, "NPM_TOKEN", "two")).toMatchObject({ version: 2 });
    await repos.environments.setSecret(environment.id, "A_KEY", "k");
    const listed = await repos.environments.listSecrets(environment.id);
    expect(listed.map((secret) => [secret.name, secret.version])).toEqual([
      ["A_KEY", 1],
      ["NPM_TOKEN", 2],
    ]);
    expect(JSON.stringify(listed)).not.toContain("two");
    expect(await repos.environments.secretValues(environment.id)).toEqual({ A_KEY: "k", NPM_TOKEN: "two" });
    expect(await repos.environments.deleteSecret(environment.id, "A_KEY")).toBe(true);
    // Deleting the environment takes its secrets with it.
    expect(await repos.environments.delete(environment.id)).toBe(true);
    expect(await repos.environments.secretValues(environment.id)).toEqual({});
  });
});

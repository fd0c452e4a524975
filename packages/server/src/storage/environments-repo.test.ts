import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "./test-databases.js";
import { useTestRepos } from "./test-hooks.js";

describe.each(TEST_DIALECTS)("repositories and environments on %s", (dialect) => {
  const t = useTestRepos(dialect);

  it("stores repositories", async () => {
    const local = await t.repos.repositories.create({ name: "zeta", source: "/home/me/zeta" });
    const remote = await t.repos.repositories.create({
      name: "alpha",
      source: "https://example.com/a.git",
      defaultBranch: "trunk",
    });
    expect(await t.repos.repositories.get(local.id)).toEqual({ ...local, defaultBranch: "main" });
    expect((await t.repos.repositories.list()).map((repository) => repository.name)).toEqual(["alpha", "zeta"]);
    expect(remote.defaultBranch).toBe("trunk");
    expect(await t.repos.repositories.delete(remote.id)).toBe(true);
    expect(await t.repos.repositories.get(remote.id)).toBeUndefined();
  });

  it("round-trips an environment definition as JSON", async () => {
    const repository = await t.repos.repositories.create({ name: "env", source: "/env" });
    const definition = {
      setup: 'npm ci\necho "ready ✓"',
      network: { mode: "allowlist", domains: ["registry.npmjs.org"], methods: ["GET", "HEAD"] },
      limits: { memoryMb: 2048, wallTimeS: 600, nothing: null },
      env: { EMPTY: "" },
    };
    const environment = await t.repos.environments.create({ repositoryId: repository.id, name: "default", definition });
    expect((await t.repos.environments.get(environment.id))?.definition).toEqual(definition);
    const changed = { ...definition, setup: "pnpm i" };
    expect(await t.repos.environments.updateDefinition(environment.id, changed, new Date("2031-01-01T00:00:00Z"))).toBe(
      true,
    );
    expect(await t.repos.environments.get(environment.id)).toMatchObject({
      definition: changed,
      updatedAt: "2031-01-01T00:00:00.000Z",
    });
    expect((await t.repos.environments.listForRepository(repository.id)).map((e) => e.id)).toEqual([environment.id]);
    const duplicate = t.repos.environments.create({ repositoryId: repository.id, name: "default", definition: {} });
    await expect(duplicate).rejects.toThrow(/unique|constraint/i);
  });

  it("versions secrets and lists them without their values", async () => {
    const repository = await t.repos.repositories.create({ name: "sec", source: "/sec" });
    const environment = await t.repos.environments.create({ repositoryId: repository.id, name: "ci", definition: {} });
    expect(await t.repos.environments.setSecret(environment.id, "NPM_TOKEN", "one")).toMatchObject({ version: 1 });
    expect(await t.repos.environments.setSecret(environment.id, "NPM_TOKEN", "two")).toMatchObject({ version: 2 });
    await t.repos.environments.setSecret(environment.id, "A_KEY", "k");
    const listed = await t.repos.environments.listSecrets(environment.id);
    expect(listed.map((secret) => [secret.name, secret.version])).toEqual([
      ["A_KEY", 1],
      ["NPM_TOKEN", 2],
    ]);
    expect(JSON.stringify(listed)).not.toContain("two");
    expect(await t.repos.environments.secretValues(environment.id)).toEqual({ A_KEY: "k", NPM_TOKEN: "two" });
    expect(await t.repos.environments.deleteSecret(environment.id, "A_KEY")).toBe(true);
    // Deleting the environment takes its secrets with it.
    expect(await t.repos.environments.delete(environment.id)).toBe(true);
    expect(await t.repos.environments.secretValues(environment.id)).toEqual({});
  });
});

import { describe, expect, it } from "vitest";
import { createRepos } from "./index.js";
import { SecretCipher } from "./secret-cipher.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";

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

describe.each(TEST_DIALECTS)("environment secrets at rest on %s", (dialect) => {
  const t = useTestRepos(dialect);

  async function newEnvironment(name: string): Promise<string> {
    const repository = await t.repos.repositories.create({ name, source: `/${name}` });
    return (await t.repos.environments.create({ repositoryId: repository.id, name, definition: {} })).id;
  }

  async function storedValue(environmentId: string, name: string): Promise<string> {
    const row = await t.database.db
      .selectFrom("environment_secrets")
      .select("value")
      .where("environment_id", "=", environmentId)
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    return row.value;
  }

  it("stores values encrypted: the column never holds the value, and a new version still reads", async () => {
    const environmentId = await newEnvironment("at-rest");
    await t.repos.environments.setSecret(environmentId, "TOKEN", "first-plain-value");
    expect(await storedValue(environmentId, "TOKEN")).toMatch(/^enc:v1:/);
    expect(await t.repos.environments.setSecret(environmentId, "TOKEN", "second-plain-value")).toMatchObject({
      version: 2,
    });
    const stored = await storedValue(environmentId, "TOKEN");
    expect(stored).toMatch(/^enc:v1:/);
    const everything = JSON.stringify(await t.database.db.selectFrom("environment_secrets").selectAll().execute());
    expect(everything).not.toContain("plain-value");
    expect(await t.repos.environments.readSecrets(environmentId)).toEqual([
      { name: "TOKEN", version: 2, updatedAt: expect.any(String), readable: true, value: "second-plain-value" },
    ]);
  });

  it("does not decrypt a value copied into another row", async () => {
    const environmentId = await newEnvironment("copy-from");
    const otherId = await newEnvironment("copy-to");
    await t.repos.environments.setSecret(environmentId, "TOKEN", "copied-value");
    await t.repos.environments.setSecret(environmentId, "OTHER", "placeholder");
    await t.repos.environments.setSecret(otherId, "TOKEN", "placeholder");
    const stolen = await storedValue(environmentId, "TOKEN");
    for (const [id, name] of [
      [environmentId, "OTHER"],
      [otherId, "TOKEN"],
    ] as const) {
      await t.database.db
        .updateTable("environment_secrets")
        .set({ value: stolen })
        .where("environment_id", "=", id)
        .where("name", "=", name)
        .execute();
    }
    expect((await t.repos.environments.readSecrets(environmentId)).map((s) => [s.name, s.readable])).toEqual([
      ["OTHER", false],
      ["TOKEN", true],
    ]);
    await expect(t.repos.environments.secretValues(otherId)).rejects.toThrow(/cannot decrypt secret TOKEN/);
  });

  it("with a different key: lists names and versions, reports each value unreadable, never throws it at a reader", async () => {
    const environmentId = await newEnvironment("other-key");
    await t.repos.environments.setSecret(environmentId, "TOKEN", "stored-with-key-one");
    const otherKey = createRepos({ ...t.database, secretCipher: SecretCipher.random() });
    expect((await otherKey.environments.listSecrets(environmentId)).map((s) => [s.name, s.version])).toEqual([
      ["TOKEN", 1],
    ]);
    const [read] = await otherKey.environments.readSecrets(environmentId);
    expect(read).toMatchObject({ name: "TOKEN", version: 1, readable: false });
    expect(read?.readable === false && read.error.message).toMatch(
      /^cannot decrypt secret TOKEN: it was stored with a different secrets key/,
    );
    expect(JSON.stringify(read)).not.toContain("stored-with-key-one");
    // A process without any key refuses to touch values, rather than storing plain text.
    const noKey = createRepos({ ...t.database, secretCipher: null });
    await expect(noKey.environments.setSecret(environmentId, "TOKEN", "x")).rejects.toThrow(/no secrets key/);
  });
});

import { describe, expect, it } from "vitest";
import { createRepos } from "./index.js";
import { encryptLegacySecrets } from "./legacy-secrets.js";
import { SecretCipher } from "./secret-cipher.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";

describe.each(TEST_DIALECTS)("encrypting secrets stored in plain text on %s", (dialect) => {
  const t = useTestRepos(dialect);

  async function newEnvironment(name: string): Promise<string> {
    const repository = await t.repos.repositories.create({ name, source: `/${name}` });
    return (await t.repos.environments.create({ repositoryId: repository.id, name, definition: {} })).id;
  }

  /** A row as a Quire without encryption at rest wrote it. */
  async function insertPlainText(environmentId: string, name: string, value: string): Promise<void> {
    await t.database.db
      .insertInto("environment_secrets")
      .values({ environment_id: environmentId, name, value, version: 3, updated_at: "2030-01-01T00:00:00.000Z" })
      .execute();
  }

  async function rawValues(environmentId: string): Promise<string[]> {
    const rows = await t.database.db
      .selectFrom("environment_secrets")
      .select("value")
      .where("environment_id", "=", environmentId)
      .orderBy("name")
      .execute();
    return rows.map((row) => row.value);
  }

  it("reads them as before, then encrypts each once, keeping versions, even with several processes at once", async () => {
    const environmentId = await newEnvironment("legacy");
    await insertPlainText(environmentId, "A_TOKEN", "legacy-value-a");
    await insertPlainText(environmentId, "B_TOKEN", "legacy-value-b");
    await t.repos.environments.setSecret(environmentId, "C_TOKEN", "new-value-c");
    expect(await t.repos.environments.secretValues(environmentId)).toEqual({
      A_TOKEN: "legacy-value-a",
      B_TOKEN: "legacy-value-b",
      C_TOKEN: "new-value-c",
    });

    const reports = await Promise.all(
      [1, 2, 3].map(() => encryptLegacySecrets(t.database.db, t.database.secretCipher)),
    );
    // Other test files' rows are in other databases: these two are the only plain-text ones here.
    expect(reports.reduce((sum, report) => sum + report.encrypted, 0)).toBe(2);
    expect(reports.every((report) => report.unreadable === 0 && report.skipped === 0)).toBe(true);
    const raw = await rawValues(environmentId);
    expect(raw.every((value) => value.startsWith("enc:v1:"))).toBe(true);
    expect(raw.join("\n")).not.toContain("legacy-value");
    expect(await t.repos.environments.secretValues(environmentId)).toEqual({
      A_TOKEN: "legacy-value-a",
      B_TOKEN: "legacy-value-b",
      C_TOKEN: "new-value-c",
    });
    expect((await t.repos.environments.listSecrets(environmentId)).map((s) => s.version)).toEqual([3, 3, 1]);
    expect(await encryptLegacySecrets(t.database.db, t.database.secretCipher)).toEqual({
      encrypted: 0,
      skipped: 0,
      unreadable: 0,
    });
  });

  it("leaves plain text alone when its key cannot read what is already encrypted", async () => {
    const environmentId = await newEnvironment("mixed-keys");
    await t.repos.environments.setSecret(environmentId, "A_TOKEN", "stored-with-the-cluster-key");
    await insertPlainText(environmentId, "B_TOKEN", "plain-from-an-old-version");
    const otherKey = SecretCipher.random();
    const report = await encryptLegacySecrets(t.database.db, otherKey);
    expect(report).toMatchObject({ encrypted: 0, skipped: 1 });
    expect(report.unreadable).toBeGreaterThanOrEqual(1);
    expect((await rawValues(environmentId))[1]).toBe("plain-from-an-old-version");
    // The cluster's key still reads both, and encrypts the plain one.
    await encryptLegacySecrets(t.database.db, t.database.secretCipher);
    expect(await createRepos(t.database).environments.secretValues(environmentId)).toEqual({
      A_TOKEN: "stored-with-the-cluster-key",
      B_TOKEN: "plain-from-an-old-version",
    });
    expect((await rawValues(environmentId))[1]).toMatch(/^enc:v1:/);
  });
});

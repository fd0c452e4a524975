import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, makeRepo } from "../../../../test/helpers/repo.js";
import { createRepos, SecretCipher } from "../storage/index.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import { environmentForTask } from "./task-environment.js";

describe.each(TEST_DIALECTS)("the environment of a task, with secrets this key cannot decrypt, on %s", (dialect) => {
  const t = useTestRepos(dialect);
  let home: string;
  let sourceDir: string;
  let commit: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "quire-task-env-"));
    sourceDir = makeRepo({ "a.txt": "a\n" });
    commit = git(sourceDir, "rev-parse", "HEAD").trim();
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(sourceDir, { recursive: true, force: true });
  });

  async function storedEnvironment(name: string) {
    const repository = await t.repos.repositories.create({ name, source: sourceDir });
    return t.repos.environments.create({
      repositoryId: repository.id,
      name,
      definition: { setup: "true", secrets: ["TOKEN"] },
    });
  }

  it("fails a task that needs one, naming the secret and saying the key differs", async () => {
    const environment = await storedEnvironment("needs-it");
    await t.repos.environments.setSecret(environment.id, "TOKEN", "value-under-another-key");
    const otherKey = createRepos({ ...t.database, secretCipher: SecretCipher.random() });
    const failure = environmentForTask({ home, repos: otherKey, workspaceId: "local", sourceDir, commit, environment });
    await expect(failure).rejects.toThrow(
      /^environment needs-it: cannot decrypt secret TOKEN: it was stored with a different secrets key .*QUIRE_SECRETS_KEY/,
    );
    await failure.catch((error: Error) => expect(error.message).not.toContain("value-under-another-key"));
  });

  it("runs a task whose secrets all decrypt, even when another secret of the environment does not", async () => {
    const environment = await storedEnvironment("unused-one-broken");
    const thisKey = createRepos({ ...t.database, secretCipher: SecretCipher.random() });
    await thisKey.environments.setSecret(environment.id, "TOKEN", "readable-token");
    await t.repos.environments.setSecret(environment.id, "UNUSED", "under-another-key");
    const resolved = await environmentForTask({
      home,
      repos: thisKey,
      workspaceId: "local",
      sourceDir,
      commit,
      environment,
    });
    expect(resolved.secretValues).toEqual({ TOKEN: "readable-token" });
    expect(resolved.environment.secrets).toEqual([{ name: "TOKEN", version: "v1" }]);
  });
});

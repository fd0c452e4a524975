import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Repos } from "../storage/index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";
import { moveBlobFilesIntoDatabase } from "./legacy-blob-files.js";

describe.each(TEST_DIALECTS)("blob files of an older home on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  let home: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
    home = mkdtempSync(path.join(os.tmpdir(), "quire-legacy-blobs-"));
  });
  afterAll(async () => {
    await database?.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("are moved into the database under the same reference, and the folder goes", async () => {
    const content = "a command's whole output\n".repeat(50_000);
    const ref = createHash("sha256").update(content).digest("hex");
    mkdirSync(path.join(home, "blobs"));
    writeFileSync(path.join(home, "blobs", ref), content);
    writeFileSync(path.join(home, "blobs", ".incoming-cut-off"), "half");
    expect(await moveBlobFilesIntoDatabase(repos, home)).toBe(1);
    expect(await repos.blobs.readText(ref)).toBe(content);
    expect(existsSync(path.join(home, "blobs"))).toBe(false);
    expect(await moveBlobFilesIntoDatabase(repos, home)).toBe(0);
  });
});

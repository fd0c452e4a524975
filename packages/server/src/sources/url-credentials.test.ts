import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { git, makeRepo } from "../../../../test/helpers/repo.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import { moveUrlCredentials } from "./legacy-url-credentials.js";
import { mirrorDir } from "./sources.js";
import { gitCredentialEnv, splitUrlCredentials } from "./url-credentials.js";

describe("splitUrlCredentials", () => {
  it("takes user and password (decoded) out of http(s) URLs, and leaves clean URLs and paths alone", () => {
    expect(splitUrlCredentials("https://bot:t%40ken@example.com/o/r.git")).toEqual({
      url: "https://example.com/o/r.git",
      credentials: { username: "bot", password: "t@ken" },
    });
    expect(splitUrlCredentials("https://ghp_tokenonly@example.com/o/r.git")).toEqual({
      url: "https://example.com/o/r.git",
      credentials: { username: "ghp_tokenonly", password: "" },
    });
    for (const clean of [
      "https://example.com/o/r.git",
      "ssh://git@example.com/o/r.git",
      "git@example.com:o/r.git",
      "/srv/r",
    ]) {
      expect(splitUrlCredentials(clean)).toEqual({ url: clean, credentials: null });
    }
  });

  it("refuses an ssh password and an unparsable URL without echoing them", () => {
    expect(() => splitUrlCredentials("ssh://git:hunter2@example.com/o/r.git")).toThrow(/cannot carry a password/);
    expect(() => splitUrlCredentials("https://u:p4ss@exa mple.com/r")).toThrow(/^the URL cannot be parsed$/);
  });

  it("gives git the credentials as a header in its environment, with redirects off, for http(s) only", () => {
    const env = gitCredentialEnv("https://example.com/r.git", { username: "u", password: "p" });
    expect(env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(env.GIT_CONFIG_KEY_1).toBe("http.followRedirects");
    expect(gitCredentialEnv("ssh://git@example.com/r.git", { username: "u", password: "p" })).toEqual({});
  });
});

describe.each(TEST_DIALECTS)("credentials of repositories registered before they were split off, on %s", (dialect) => {
  const t = useTestRepos(dialect);
  const cleanup: string[] = [];
  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it("are moved out of the URL and the clone's config at start, encrypted, and still usable", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "quire-legacy-url-"));
    const upstream = makeRepo({ "a.txt": "a\n" });
    cleanup.push(home, upstream);
    const legacy = await t.repos.repositories.create({
      name: "old",
      source: "https://bot:s3cret-token@example.com/o/r.git",
    });
    // Its clone, as made then: the URL with the token in `origin`.
    const clone = mirrorDir(home, legacy.id);
    git(path.dirname(upstream), "clone", "--quiet", upstream, clone);
    git(clone, "remote", "set-url", "origin", "https://bot:s3cret-token@example.com/o/r.git");

    expect(await moveUrlCredentials(t.repos, home)).toBe(1);
    const stored = await t.repos.repositories.get(legacy.id);
    expect(stored?.source).toBe("https://example.com/o/r.git");
    expect(await t.repos.repositories.credentials(legacy.id)).toEqual({ username: "bot", password: "s3cret-token" });
    expect(readFileSync(path.join(clone, ".git", "config"), "utf8")).not.toContain("s3cret-token");
    const raw = await t.database.db
      .selectFrom("repositories")
      .select("source_credentials")
      .where("id", "=", legacy.id)
      .executeTakeFirstOrThrow();
    expect(raw.source_credentials).toMatch(/^enc:v1:/);
    // Once moved, nothing is left to move.
    expect(await moveUrlCredentials(t.repos, home)).toBe(0);
  });
});

/**
 * Linking repositories to their forge project at the API: a URL on a configured forge host links
 * itself, `forge: {kind, repo}` is checked (owner/name; GitLab groups may nest), and automatic
 * review is switched per repository. Real HTTP and a real git server.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../test/helpers/repo.js";
import { forgesFromEnv } from "../delivery/index.js";
import { startGitHttpServer, type GitHttpServer } from "../../testing/git-http-server.js";
import { postJson, startTestApi, type TestApi } from "../../testing/api.js";

interface RepositoryJson {
  id: string;
  forge: { kind: string; repo: string } | null;
  autoReview: boolean;
}

describe("repositories linked to forges", () => {
  let api: TestApi;
  let gitServer: GitHttpServer;
  beforeAll(async () => {
    const projects = mkdtempSync(path.join(os.tmpdir(), "quire-projects-"));
    mkdirSync(path.join(projects, "acme"));
    execFileSync("git", [
      "clone",
      "--quiet",
      "--bare",
      makeRepo({ "a.txt": "a\n" }),
      path.join(projects, "acme/tiny.git"),
    ]);
    gitServer = await startGitHttpServer({ projectRoot: projects, authorization: null });
    // The git server stands in for a Gitea instance on this machine.
    const forges = forgesFromEnv({}, { gitea: { url: gitServer.url } });
    api = await startTestApi("sqlite", { delivery: { author: { name: "Q", email: "q@example.test" }, forges } });
    writeFileSync(
      path.join(api.home, "config.toml"),
      `[outbound]\nallow_private = ["127.0.0.1:${new URL(gitServer.url).port}"]\n`,
    );
  });
  afterAll(async () => {
    await api?.close();
    await gitServer?.close();
  });

  it("links a URL on a configured forge host by itself, and keeps a local path unlinked", async () => {
    const byUrl = await postJson(`${api.url}/api/repositories`, {
      name: "tiny",
      source: `${gitServer.url}/acme/tiny.git`,
    });
    expect(byUrl.status).toBe(201);
    const { repository } = (await byUrl.json()) as { repository: RepositoryJson };
    expect(repository.forge).toEqual({ kind: "gitea", repo: "acme/tiny" });
    expect(repository.autoReview).toBe(false);

    const local = await postJson(`${api.url}/api/repositories`, {
      name: "local",
      source: makeRepo({ "b.txt": "b\n" }),
    });
    expect(((await local.json()) as { repository: RepositoryJson }).repository.forge).toBeNull();
  });

  it("checks a given link's shape and switches automatic review", async () => {
    const bad = await postJson(`${api.url}/api/repositories`, {
      name: "bad",
      source: makeRepo({ "c.txt": "c\n" }),
      forge: { kind: "github", repo: "acme/sub/app" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('must be \\"owner/name\\"');

    const nested = await postJson(`${api.url}/api/repositories`, {
      name: "nested",
      source: makeRepo({ "d.txt": "d\n" }),
      forge: { kind: "gitlab", repo: "group/sub/app" },
      autoReview: true,
    });
    expect(nested.status).toBe(201);
    const { repository } = (await nested.json()) as { repository: RepositoryJson };
    expect(repository).toMatchObject({ forge: { kind: "gitlab", repo: "group/sub/app" }, autoReview: true });

    const off = await fetch(`${api.url}/api/repositories/${repository.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ autoReview: false }),
    });
    expect(off.status).toBe(200);
    const read = await (await fetch(`${api.url}/api/repositories/${repository.id}`)).json();
    expect((read as { repository: RepositoryJson }).repository.autoReview).toBe(false);
  });
});

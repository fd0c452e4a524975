import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import { BranchExistsError, deliver, ForgeError, forgesFromEnv, PushError, type DeliverOptions } from "./index.js";
import { startFakeGitHub, startFakeGitLab, type FakeForge } from "../../testing/forge-server.js";
import { startGitHttpServer, type GitHttpServer } from "../../testing/git-http-server.js";

const GITHUB_TOKEN = "ghp_TestToken0123456789abcdef";
const GITLAB_TOKEN = "glpat-TestToken0123456789";

const cleanup: string[] = [];
const servers: (FakeForge | GitHttpServer)[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

async function started<T extends FakeForge | GitHttpServer>(server: Promise<T>): Promise<T> {
  servers.push(await server);
  return server;
}

/** A source repository, a bare remote at `<root>/acme/widgets.git` (no origin: tests say where to push), a diff. */
function fixture() {
  const source = makeRepo({ "app.js": "console.log('hi');\n" }, "quire-forge-src-");
  cleanup.push(source);
  const root = tempDir("quire-forge-remotes-");
  const remote = path.join(root, "acme", "widgets.git");
  mkdirSync(path.dirname(remote));
  git(root, "init", "--quiet", "--bare", remote);
  git(source, "push", "--quiet", remote, "main");
  const base = git(source, "rev-parse", "HEAD").trim();
  const work = tempDir("quire-forge-work-");
  git(work, "clone", "--quiet", source, ".");
  writeFiles(work, { "app.js": "console.log('hello');\n" });
  const diff = git(work, "diff", base);
  const options: DeliverOptions = {
    sourceRepo: source,
    remoteUrl: remote,
    baseCommit: base,
    diff,
    branch: "quire/greeting",
    title: "Say hello",
    body: "Greets properly.",
    author: { name: "Quire Bot", email: "bot@quire.example" },
    baseBranch: "main",
    forges: forgesFromEnv({}),
    workDir: tempDir("quire-forge-scratch-"),
  };
  return { root, remote, base, options };
}

describe("deliver: pull and merge requests", () => {
  it("opens a GitHub pull request for the pushed branch", async () => {
    const { remote, options } = fixture();
    const github = await started(startFakeGitHub({ token: GITHUB_TOKEN, owner: "acme", repo: "widgets", number: 42 }));
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: github.url, hosts: ["github.example.test"] } });

    const result = await deliver({ ...options, forges, forgeRepo: "git@github.example.test:acme/widgets.git" });

    expect(github.requests).toHaveLength(1);
    const [request] = github.requests;
    expect(request).toMatchObject({
      method: "POST",
      path: "/repos/acme/widgets/pulls",
      headers: { authorization: `token ${GITHUB_TOKEN}`, "content-type": expect.stringContaining("application/json") },
      body: { head: "quire/greeting", base: "main", title: "Say hello", body: "Greets properly." },
    });
    expect(result.pullRequest).toEqual({
      kind: "github",
      number: 42,
      url: "https://github.example.test/acme/widgets/pull/42",
    });
    expect(result.message).toContain("opened pull request #42: https://github.example.test/acme/widgets/pull/42");
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(result.commit);
  });

  it("opens a GitLab merge request in a nested project", async () => {
    const { options } = fixture();
    const gitlab = await started(startFakeGitLab({ token: GITLAB_TOKEN, projectPath: "group/sub/widgets", iid: 5 }));
    const forges = forgesFromEnv({ GITLAB_TOKEN }, { gitlab: { host: gitlab.url, hosts: ["gitlab.example.test"] } });

    const result = await deliver({
      ...options,
      forges,
      forgeRepo: "https://gitlab.example.test/group/sub/widgets.git",
    });

    expect(gitlab.requests).toHaveLength(1);
    expect(gitlab.requests[0]).toMatchObject({
      method: "POST",
      path: "/api/v4/projects/group%2Fsub%2Fwidgets/merge_requests",
      headers: { "private-token": GITLAB_TOKEN },
      body: {
        source_branch: "quire/greeting",
        target_branch: "main",
        title: "Say hello",
        description: "Greets properly.",
      },
    });
    expect(result.pullRequest).toEqual({
      kind: "gitlab",
      number: 5,
      url: "https://gitlab.example.test/group/sub/widgets/-/merge_requests/5",
    });
    expect(result.message).toContain("opened merge request !5");
  });

  it("turns a forge's refusal into a ForgeError that gives its answer and says the branch was pushed", async () => {
    const { remote, options } = fixture();
    const refusal = {
      status: 422,
      body: {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: "A pull request already exists for acme:quire/greeting.",
          },
        ],
        documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
      },
    };
    const github = await started(
      startFakeGitHub({ token: GITHUB_TOKEN, owner: "acme", repo: "widgets", fail: refusal }),
    );
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: github.url, hosts: ["github.example.test"] } });

    const error = await deliver({ ...options, forges, forgeRepo: "https://github.example.test/acme/widgets" }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ForgeError);
    const forgeError = error as ForgeError;
    expect(forgeError.status).toBe(422);
    expect(forgeError.message).toContain(
      "GitHub answered 422: Validation Failed (A pull request already exists for acme:quire/greeting.)",
    );
    expect(forgeError.message).toContain(
      `the branch "quire/greeting" (${forgeError.commit.slice(0, 12)}) was pushed to ${remote}`,
    );
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(forgeError.commit);
  });

  it("reads GitLab's list-of-messages errors", async () => {
    const { options } = fixture();
    const refusal = {
      status: 409,
      body: { message: ["Another open merge request already exists for this source branch: !4"] },
    };
    const gitlab = await started(startFakeGitLab({ token: GITLAB_TOKEN, projectPath: "acme/widgets", fail: refusal }));
    const forges = forgesFromEnv({ GITLAB_TOKEN }, { gitlab: { host: gitlab.url, hosts: ["gitlab.example.test"] } });

    await expect(
      deliver({ ...options, forges, forgeRepo: "git@gitlab.example.test:acme/widgets.git" }),
    ).rejects.toThrow("GitLab answered 409: Another open merge request already exists for this source branch: !4");
  });

  it("without a token, pushes only and says where the branch is", async () => {
    const { remote, options } = fixture();
    const forges = forgesFromEnv({}, { github: { hosts: ["github.example.test"] } });

    const result = await deliver({ ...options, forges, forgeRepo: "https://github.example.test/acme/widgets.git" });

    expect(result.pullRequest).toBeUndefined();
    expect(result.message).toBe(
      `Pushed the branch "quire/greeting" (${result.commit.slice(0, 12)}) to ${remote}. ` +
        "No GitHub token is configured (GITHUB_TOKEN), so no pull request was opened.",
    );
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(result.commit);
  });

  it("never lets a token into an error, even when the forge echoes it back", async () => {
    const { options } = fixture();
    const echo = { status: 422, body: { message: `Validation Failed for token ${GITHUB_TOKEN}` } };
    const github = await started(startFakeGitHub({ token: GITHUB_TOKEN, owner: "acme", repo: "widgets", fail: echo }));
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: github.url, hosts: ["github.example.test"] } });

    const error = await deliver({ ...options, forges, forgeRepo: "https://github.example.test/acme/widgets" }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ForgeError);
    expect((error as Error).message).toContain("Validation Failed for token [REDACTED:GITHUB_TOKEN]");
    for (const view of [(error as Error).message, inspect(error, { depth: 10 }), JSON.stringify(error)]) {
      expect(view).not.toContain(GITHUB_TOKEN);
    }
  });
});

describe("deliver: pushing over HTTP with a token", () => {
  const basic = `Basic ${Buffer.from(`x-access-token:${GITHUB_TOKEN}`).toString("base64")}`;

  it("sends the token as a header on every git request, never in the URL, then opens the pull request", async () => {
    const { root, options } = fixture();
    const gitServer = await started(startGitHttpServer({ projectRoot: root, authorization: basic }));
    const github = await started(startFakeGitHub({ token: GITHUB_TOKEN, owner: "acme", repo: "widgets" }));
    // The API is on 127.0.0.1, so that host is GitHub's here, and the push URL names acme/widgets.
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: github.url } });

    const result = await deliver({ ...options, forges, remoteUrl: `${gitServer.url}/acme/widgets.git` });

    expect(git(path.join(root, "acme", "widgets.git"), "rev-parse", "quire/greeting").trim()).toBe(result.commit);
    expect(gitServer.requests.map((request) => request.url)).toContain("/acme/widgets.git/git-receive-pack");
    for (const request of gitServer.requests) {
      expect(request.authorization).toBe(basic);
      expect(request.url).not.toContain(GITHUB_TOKEN);
    }
    expect(result.pullRequest?.number).toBe(7);
    expect(JSON.stringify(result)).not.toContain(GITHUB_TOKEN);
  });

  it("redacts the token from what the remote prints when it rejects the push", async () => {
    const { root, options } = fixture();
    const hook = path.join(root, "acme", "widgets.git", "hooks", "pre-receive");
    writeFileSync(hook, '#!/bin/sh\necho "denied for $LEAKED_TOKEN"\nexit 1\n', { mode: 0o755 });
    const gitServer = await started(
      startGitHttpServer({ projectRoot: root, authorization: basic, env: { LEAKED_TOKEN: GITHUB_TOKEN } }),
    );
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: "http://127.0.0.1:9" } });

    const error = await deliver({ ...options, forges, remoteUrl: `${gitServer.url}/acme/widgets.git` }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(PushError);
    expect((error as Error).message).toContain("denied for [REDACTED:GITHUB_TOKEN]");
    expect((error as Error).message).toContain("pre-receive hook declined");
    expect(inspect(error)).not.toContain(GITHUB_TOKEN);
  });

  it("refuses a branch that appears between the check and the push, rather than fast-forwarding it", async () => {
    const { root, base, options } = fixture();
    const remote = path.join(root, "acme", "widgets.git");
    const gitServer = await started(
      startGitHttpServer({
        projectRoot: root,
        authorization: basic,
        // Someone else creates the branch once Quire has looked and found none.
        beforeRequest: (request) => {
          if (request.url.includes("service=git-receive-pack"))
            git(remote, "update-ref", "refs/heads/quire/greeting", base);
        },
      }),
    );
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: "http://127.0.0.1:9" } });

    const error = await deliver({ ...options, forges, remoteUrl: `${gitServer.url}/acme/widgets.git` }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(BranchExistsError);
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(base);
  });

  it("sends no token to a host that is not the forge's, even when forgeRepo names the forge", async () => {
    const { root, options } = fixture();
    const gitServer = await started(startGitHttpServer({ projectRoot: root, authorization: basic }));
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { hosts: ["github.example.test"] } });

    const error = await deliver({
      ...options,
      forges,
      remoteUrl: `${gitServer.url}/acme/widgets.git`,
      forgeRepo: "https://github.example.test/acme/widgets.git",
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PushError);
    expect(gitServer.requests.length).toBeGreaterThan(0);
    expect(gitServer.requests.every((request) => request.authorization === undefined)).toBe(true);
  });
});

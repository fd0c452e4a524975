import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import { BranchMovedError, deliver, forgesFromEnv, type DeliverOptions, type DeliverResult } from "./index.js";
import { startFakeGitHub, startFakeGitLab, type FakeForge } from "../../testing/forge-server.js";

const GITHUB_TOKEN = "ghp_TestToken0123456789abcdef";
const GITLAB_TOKEN = "glpat-TestToken0123456789";

const cleanup: string[] = [];
const servers: FakeForge[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

/**
 * A source repository, a bare remote, and a task's diff after each of two rounds: round 1 changes
 * app.js, round 2 also README.md (its diff is the task's whole diff on the base, as stored).
 */
function fixture() {
  const source = makeRepo({ "app.js": "console.log('hi');\n", "README.md": "widgets\n" }, "quire-redeliver-src-");
  cleanup.push(source);
  const root = tempDir("quire-redeliver-remotes-");
  const remote = path.join(root, "acme", "widgets.git");
  mkdirSync(path.dirname(remote));
  git(root, "init", "--quiet", "--bare", remote);
  git(source, "push", "--quiet", remote, "main");
  const base = git(source, "rev-parse", "HEAD").trim();
  const work = tempDir("quire-redeliver-work-");
  git(work, "clone", "--quiet", source, ".");
  writeFiles(work, { "app.js": "console.log('hello');\n" });
  const round1 = git(work, "diff", "--binary", base);
  writeFiles(work, { "README.md": "widgets, greeted\n" });
  git(work, "add", "-A");
  const round2 = git(work, "diff", "--binary", "--cached", base);
  const options: DeliverOptions = {
    sourceRepo: source,
    remoteUrl: remote,
    baseCommit: base,
    diff: round1,
    branch: "quire/greeting",
    title: "Say hello",
    body: "Greets properly.",
    author: { name: "Quire Bot", email: "bot@quire.example" },
    baseBranch: "main",
    forges: forgesFromEnv({}),
    workDir: tempDir("quire-redeliver-scratch-"),
  };
  return { root, remote, base, round2, options };
}

const previousOf = (result: DeliverResult) => ({
  branch: result.branch,
  commits: result.commits,
  ...(result.pullRequest ? { pullRequest: result.pullRequest } : {}),
});

const show = (repo: string, ref: string, file: string) => git(repo, "show", `${ref}:${file}`);

describe("deliver again: the same branch and pull request", () => {
  it("moves the branch forward by one commit holding both rounds and comments on the pull request", async () => {
    const { remote, base, round2, options } = fixture();
    const github = await started(startFakeGitHub({ token: GITHUB_TOKEN, owner: "acme", repo: "widgets", number: 42 }));
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: github.url, hosts: ["github.example.test"] } });
    const forgeRepo = "https://github.example.test/acme/widgets";

    const first = await deliver({ ...options, forges, forgeRepo });
    expect(first.updated).toBe(false);
    const second = await deliver({
      ...options,
      forges,
      forgeRepo,
      diff: round2,
      previous: previousOf(first),
      changes: "Asked since the last delivery:\n- Greet in the README too",
    });

    expect(second.updated).toBe(true);
    expect(second.branch).toBe("quire/greeting");
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(second.commit);
    expect(git(remote, "rev-parse", `${second.commit}^`).trim()).toBe(first.commit);
    expect(git(remote, "rev-list", "--count", `${base}..quire/greeting`).trim()).toBe("2");
    expect(show(remote, "quire/greeting", "app.js")).toBe("console.log('hello');\n");
    expect(show(remote, "quire/greeting", "README.md")).toBe("widgets, greeted\n");
    expect(second.commits).toEqual([first.commit, second.commit]);

    // One pull request opened, then one comment on it; no second pull request.
    expect(github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /repos/acme/widgets/pulls",
      "POST /repos/acme/widgets/issues/42/comments",
    ]);
    const comment = (github.requests[1]!.body as { body: string }).body;
    expect(comment).toContain(`Quire pushed ${second.commit.slice(0, 12)} on top of ${first.commit.slice(0, 12)}`);
    expect(comment).toContain("- Greet in the README too");
    expect(comment).toMatch(/README\.md \| 2 \+-/);
    expect(second.pullRequest).toEqual(first.pullRequest);
    expect(second.message).toContain("pull request #42");
  });

  it("pushes nothing and comments nothing when delivered again without a change", async () => {
    const { remote, options } = fixture();
    const github = await started(startFakeGitHub({ token: GITHUB_TOKEN, owner: "acme", repo: "widgets", number: 42 }));
    const forges = forgesFromEnv({ GITHUB_TOKEN }, { github: { apiUrl: github.url, hosts: ["github.example.test"] } });
    const forgeRepo = "https://github.example.test/acme/widgets";
    const first = await deliver({ ...options, forges, forgeRepo });

    const again = await deliver({ ...options, forges, forgeRepo, previous: previousOf(first) });

    expect(again.commit).toBe(first.commit);
    expect(again.commits).toEqual([first.commit]);
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(first.commit);
    expect(github.requests).toHaveLength(1);
    expect(again.message).toContain("already holds this change");
  });

  it("refuses with BranchMovedError naming the commit when someone else moved the branch, and pushes nothing", async () => {
    const { root, remote, round2, options } = fixture();
    const first = await deliver(options);
    // Someone pushes their own commit on top of Quire's.
    const theirs = path.join(root, "theirs");
    git(root, "clone", "--quiet", "--branch", "quire/greeting", remote, theirs);
    writeFiles(theirs, { "app.js": "console.log('mine');\n" });
    git(theirs, "commit", "--quiet", "-am", "Not Quire's");
    git(theirs, "push", "--quiet", "origin", "quire/greeting");
    const moved = git(theirs, "rev-parse", "HEAD").trim();

    const error = await deliver({ ...options, diff: round2, previous: previousOf(first) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(BranchMovedError);
    expect((error as BranchMovedError).headCommit).toBe(moved);
    expect((error as Error).message).toContain(moved);
    expect((error as Error).message).toContain('"branch"');
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(moved);
    expect(git(remote, "for-each-ref", "--format=%(refname)").trim().split("\n").sort()).toEqual([
      "refs/heads/main",
      "refs/heads/quire/greeting",
    ]);
  });

  it("delivers to a new branch from the base when asked to, leaving the old one as it was", async () => {
    const { remote, base, round2, options } = fixture();
    const first = await deliver(options);

    const other = await deliver({ ...options, diff: round2, branch: "quire/greeting-2", previous: previousOf(first) });

    expect(other.updated).toBe(false);
    expect(git(remote, "rev-parse", `${other.commit}^`).trim()).toBe(base);
    expect(git(remote, "rev-parse", "quire/greeting").trim()).toBe(first.commit);
    expect(other.commits).toEqual([other.commit]);
  });

  it("adds a note to the GitLab merge request it opened", async () => {
    const { round2, options } = fixture();
    const gitlab = await started(startFakeGitLab({ token: GITLAB_TOKEN, projectPath: "acme/widgets", iid: 5 }));
    const forges = forgesFromEnv({ GITLAB_TOKEN }, { gitlab: { host: gitlab.url, hosts: ["gitlab.example.test"] } });
    const forgeRepo = "https://gitlab.example.test/acme/widgets.git";
    const first = await deliver({ ...options, forges, forgeRepo });

    const second = await deliver({ ...options, forges, forgeRepo, diff: round2, previous: previousOf(first) });

    expect(gitlab.requests.map((request) => request.path)).toEqual([
      "/api/v4/projects/acme%2Fwidgets/merge_requests",
      "/api/v4/projects/acme%2Fwidgets/merge_requests/5/notes",
    ]);
    expect((gitlab.requests[1]!.body as { body: string }).body).toContain(second.commit.slice(0, 12));
    expect(second.message).toContain("merge request !5");
  });
});

async function started(server: Promise<FakeForge>): Promise<FakeForge> {
  servers.push(await server);
  return server;
}

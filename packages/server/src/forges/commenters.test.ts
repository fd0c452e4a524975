/**
 * Who may trigger work on a multi-user server: a forge user with write access who maps to a
 * member of the repository's workspace, by the configured login mapping or by a verified email
 * (the forge's public email, and a Quire user whose email is verified). Everyone else gets one
 * polite reply and nothing runs. Real HTTP to the API and to a local test GitHub.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { until } from "@quire/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../test/helpers/repo.js";
import { MULTI_USER } from "../../testing/clients.js";
import { forgesFromEnv } from "../delivery/index.js";
import { startTestApi, type TestApi } from "../../testing/api.js";
import type { Repository } from "../storage/index.js";
import { startTestForge, type FakeForgeUser, type TestForge } from "../../testing/forges.js";
import { commentEvent, sendWebhook } from "../../testing/webhooks.js";

const SECRET = "s3cret";
const TOKEN = "tok";
const PROJECT = "acme/app";
const users: FakeForgeUser[] = [
  { login: "mapped", id: 1, access: "write" },
  { login: "verified", id: 2, access: "write", email: "verified@example.com" },
  { login: "unverified", id: 3, access: "write", email: "unverified@example.com" },
  { login: "viewer", id: 4, access: "admin" },
  { login: "outsider", id: 5, access: "write", email: "nobody@example.com" },
];

describe("forge commenters on a multi-user server", () => {
  let api: TestApi;
  let forge: TestForge;
  let repository: Repository;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    const bare = mkdtempSync(path.join(os.tmpdir(), "quire-forge-bare-"));
    execFileSync("git", ["init", "--quiet", "--bare", bare]);
    forge = await startTestForge({ kind: "github", token: TOKEN, project: PROJECT, gitDir: bare, users });
    api = await startTestApi("sqlite", {
      auth: MULTI_USER,
      plansToml: 'default_plan = "team"\n[plans.team]\nconcurrent_tasks = 10\n',
      // The test repository is made under the temporary directory.
      localSourceRoots: [os.tmpdir()],
      delivery: {
        author: { name: "Q", email: "q@example.test" },
        forges: forgesFromEnv(
          {},
          {
            github: {
              apiUrl: forge.url,
              token: TOKEN,
              webhookSecret: SECRET,
              members: { mapped: "mapped@example.com", viewer: "viewer@example.com" },
            },
          },
        ),
      },
    });
    const { repos } = api;
    for (const [name, verified] of [
      ["owner", true],
      ["mapped", false],
      ["verified", true],
      ["unverified", false],
      ["viewer", true],
    ] as const) {
      ids[name] = (await repos.users.create({ email: `${name}@example.com`, name, emailVerified: verified })).id;
    }
    const workspace = await repos.workspaces.create({ name: "team", ownerUserId: ids.owner! });
    for (const name of ["mapped", "verified", "unverified"])
      await repos.workspaces.addMember(workspace.id, ids[name]!, "member");
    await repos.workspaces.addMember(workspace.id, ids.viewer!, "viewer");
    const source = makeRepo({ "a.txt": "a\n" });
    repository = await repos.repositories.create({
      name: "app",
      source,
      workspaceId: workspace.id,
      forge: { kind: "github", repo: PROJECT },
    });
  });
  afterAll(async () => {
    await api?.close();
    await forge?.close();
  });

  const comment = async (login: string, number: number) => {
    const author = users.find((user) => user.login === login)!;
    const delivery = commentEvent("github", {
      project: PROJECT,
      number,
      onPullRequest: false,
      title: "t",
      comment: "@quire go",
      author,
    });
    expect((await sendWebhook(api.url, "github", { ...delivery, secret: SECRET })).status).toBe(202);
    return until(() => forge.comments.find((c) => c.number === number), `the reply to ${login}`);
  };

  it("acts as the member the login maps to, or whose verified email the forge shows", async () => {
    expect((await comment("mapped", 1)).body).toContain("Quire started a task");
    expect((await comment("verified", 2)).body).toContain("Quire started a task");
    const tasks = await api.repos.tasks.list({ repositoryId: repository.id });
    expect(tasks.map((task) => task.createdBy).sort()).toEqual([ids.mapped, ids.verified].sort());
    expect(tasks.every((task) => task.workspaceId === repository.workspaceId)).toBe(true);
  });

  it("refuses an unverified email, a viewer and someone with no account, with one reply each", async () => {
    const before = (await api.repos.tasks.list({ repositoryId: repository.id })).length;
    for (const [login, number] of [
      ["unverified", 3],
      ["viewer", 4],
      ["outsider", 5],
    ] as const) {
      expect((await comment(login, number)).body).toContain(`Sorry @${login}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(forge.comments.filter((c) => c.number >= 3)).toHaveLength(3);
    expect(await api.repos.tasks.list({ repositoryId: repository.id })).toHaveLength(before);
    const audit = await api.repos.audit.list({ workspaceId: repository.workspaceId! });
    const refused = audit.filter(
      (entry) => entry.action === "forge.comment" && entry.details.outcome === "not_allowed",
    );
    expect(refused).toHaveLength(3);
  });
});

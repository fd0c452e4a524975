/**
 * The forges' webhooks at the API, for each forge, over real HTTP with a local test forge: the
 * signature is checked before anything (401, nothing created), a replayed delivery does nothing,
 * an unlinked project and an oversized body are refused or ignored; `@quire` from a writer starts
 * a task and says so on the issue, from anyone else it gets one polite reply; a plan refusal is a
 * comment with the limit and its reset time. (Tasks are not run here: see test/e2e/forge-comments.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../test/helpers/repo.js";
import { forgesFromEnv, type ForgeKindName, type ForgesConfigInput } from "../delivery/index.js";
import { postJson, startTestApi, type TestApi } from "../../testing/api.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { startTestForge, type FakeForgeUser, type TestForge } from "../../testing/forges.js";
import { reviewModeAvailable } from "./start-task.js";
import { commentEvent, sendWebhook, webhookHeaders } from "../../testing/webhooks.js";

const SECRET = "webhook-secret-for-tests";
const TOKEN = "forge-token-for-tests";
const PROJECT = "acme/widgets";
const writer: FakeForgeUser = { login: "wanda", id: 11, access: "write" };
const reader: FakeForgeUser = { login: "rita", id: 12, access: "read" };
const PLANS = `
default_plan = "team"
[plans.team]
tasks_per_5h = 1
concurrent_tasks = 100
`;

function forgeInput(kind: ForgeKindName, url: string): ForgesConfigInput {
  if (kind === "github") return { github: { apiUrl: url, token: TOKEN, webhookSecret: SECRET } };
  if (kind === "gitlab") return { gitlab: { host: url, token: TOKEN, webhookSecret: SECRET } };
  return { gitea: { url, token: TOKEN, webhookSecret: SECRET } };
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const KINDS: ForgeKindName[] = ["github", "gitlab", "gitea"];

describe.each(TEST_DIALECTS)("forge webhooks on %s", (dialect) => {
  describe.each(KINDS)("%s", (kind) => {
    let api: TestApi;
    let forge: TestForge;
    let repoId: string;
    beforeAll(async () => {
      const bare = mkdtempSync(path.join(os.tmpdir(), "quire-forge-bare-"));
      execFileSync("git", ["init", "--quiet", "--bare", bare]);
      forge = await startTestForge({ kind, token: TOKEN, project: PROJECT, gitDir: bare, users: [writer, reader] });
      api = await startTestApi(dialect, {
        plansToml: PLANS,
        delivery: {
          author: { name: "Q", email: "q@example.test" },
          forges: forgesFromEnv({}, forgeInput(kind, forge.url)),
        },
      });
      const response = await postJson(`${api.url}/api/repositories`, {
        name: "widgets",
        source: makeRepo({ "a.txt": "a\n" }),
        forge: { kind, repo: PROJECT },
      });
      expect(response.status).toBe(201);
      const { repository } = (await response.json()) as { repository: { id: string; forge: unknown } };
      expect(repository.forge).toEqual({ kind, repo: PROJECT });
      repoId = repository.id;
    });
    afterAll(async () => {
      await api?.close();
      await forge?.close();
    });

    const issueComment = (comment: string, author = writer, number = 5) =>
      commentEvent(kind, {
        project: PROJECT,
        number,
        onPullRequest: false,
        title: "Widgets break",
        description: "They do.",
        comment,
        author,
      });
    const tasks = () => api.repos.tasks.list({ repositoryId: repoId });

    it("refuses a missing or wrong signature with 401 and creates nothing", async () => {
      const delivery = issueComment("@quire fix it");
      const missing = await sendWebhook(api.url, kind, { ...delivery });
      expect(missing.status).toBe(401);
      const wrong = await sendWebhook(api.url, kind, { ...delivery, secret: "not-the-secret" });
      expect(wrong.status).toBe(401);
      if (kind !== "gitlab") {
        // Signed over the original bytes, sent with one byte more: the signature is over the raw body received.
        const original = JSON.stringify(delivery.payload);
        const response = await fetch(`${api.url}/api/forges/${kind}/webhook`, {
          method: "POST",
          headers: webhookHeaders(kind, original, { event: delivery.event, secret: SECRET }),
          body: `${original} `,
        });
        expect(response.status).toBe(401);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await tasks()).toEqual([]);
      expect(forge.comments).toEqual([]);
    });

    it("starts a task for a writer's @quire on an issue and links it; a replayed delivery does nothing", async () => {
      const delivery = { ...issueComment("@quire make widgets sturdy"), secret: SECRET, deliveryId: `d-${kind}-1` };
      const first = await sendWebhook(api.url, kind, delivery);
      expect(first).toEqual({ status: 202, body: { status: "accepted" } });
      const reply = await until(() => forge.comments.find((c) => c.body.includes("Quire started")), "the reply");
      expect(reply.number).toBe(5);
      const [task] = await tasks();
      expect(task).toBeDefined();
      expect(reply.body).toContain(`/tasks/${task!.id}`);
      expect(task!.mode).toBe("code");
      expect(task!.prompt).toContain("Issue #5: Widgets break");
      expect(task!.prompt).toContain("They do.");
      expect(task!.prompt).toContain("make widgets sturdy");
      const audit = await api.repos.audit.list({ workspaceId: "local" });
      expect(audit.map((entry) => entry.action)).toEqual(expect.arrayContaining(["task.created", "forge.comment"]));

      const replay = await sendWebhook(api.url, kind, delivery);
      expect(replay).toEqual({ status: 200, body: { status: "duplicate" } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await tasks()).toHaveLength(1);
      expect(forge.comments.filter((c) => c.body.includes("Quire started"))).toHaveLength(1);
    });

    it("refuses by the plan with a comment naming the limit and when it resets", async () => {
      const before = forge.comments.length;
      const sent = await sendWebhook(api.url, kind, {
        ...issueComment("@quire and another thing", writer, 6),
        secret: SECRET,
      });
      expect(sent.status).toBe(202);
      const reply = await until(() => forge.comments.slice(before).find((c) => c.number === 6), "the refusal");
      expect(reply.body).toContain("tasks_per_5h");
      expect(reply.body).toMatch(/It resets at \d{4}-\d\d-\d\dT/);
      expect(await tasks()).toHaveLength(1);
    });

    it("answers someone without write access once, politely, and starts nothing", async () => {
      const before = forge.comments.length;
      const sent = await sendWebhook(api.url, kind, {
        ...issueComment("@quire delete everything", reader, 7),
        secret: SECRET,
      });
      expect(sent.status).toBe(202);
      const reply = await until(() => forge.comments.slice(before).find((c) => c.number === 7), "the reply");
      expect(reply.body).toContain(`Sorry @${reader.login}`);
      expect(reply.body).not.toMatch(/@quire/i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(forge.comments.slice(before)).toHaveLength(1);
      expect(await tasks()).toHaveLength(1);
    });

    it("declines to continue a pull request Quire did not open, and a review without review mode", async () => {
      const before = forge.comments.length;
      const onPull = (comment: string) =>
        commentEvent(kind, {
          project: PROJECT,
          number: 40,
          onPullRequest: true,
          title: "Theirs",
          comment,
          author: writer,
        });
      expect((await sendWebhook(api.url, kind, { ...onPull("@quire tidy this up"), secret: SECRET })).status).toBe(202);
      const declined = await until(() => forge.comments.slice(before).find((c) => c.number === 40), "the reply");
      expect(declined.body).toContain("only continues pull requests it opened");
      if (!reviewModeAvailable) {
        expect((await sendWebhook(api.url, kind, { ...onPull("@quire review"), secret: SECRET })).status).toBe(202);
        const reply = await until(() => forge.comments.slice(before + 1).find((c) => c.number === 40), "the reply");
        expect(reply.body).toContain("Review mode is not available");
      }
      expect(await tasks()).toHaveLength(1);
    });

    it("acknowledges and ignores comments without a mention and projects nobody linked", async () => {
      const plain = await sendWebhook(api.url, kind, { ...issueComment("nice widgets"), secret: SECRET });
      expect(plain.status).toBe(202);
      const other = commentEvent(kind, {
        project: "someone/else",
        number: 1,
        onPullRequest: false,
        title: "t",
        comment: "@quire fix",
        author: writer,
      });
      const unlinked = await sendWebhook(api.url, kind, { ...other, secret: SECRET });
      expect(unlinked).toEqual({
        status: 202,
        body: { status: "ignored", reason: "no repository is linked to this project" },
      });
    });

    it("refuses a body over the limit with 413 before reading it", async () => {
      const huge = { ...issueComment(`@quire ${"x".repeat(1024 * 1024 + 10)}`), secret: SECRET };
      const sent = await sendWebhook(api.url, kind, huge).catch(() => ({ status: 413, body: {} }));
      expect(sent.status).toBe(413);
    });
  });
});

/**
 * Work asked for in forge comments, through `quire serve` with its workers, a scripted model and
 * a local test forge per forge (its real API shapes, branches read from a real bare repository):
 * - `@quire <request>` on an issue → a task → a pushed branch and a pull request that says
 *   "Fixes #N" → a comment with the summary, the verification and the pull request's link;
 * - `@quire <request>` on that pull request → a follow-up → the same branch one commit further → a reply;
 * - `@quire ask <question>` → the answer, its citations linked to the files at the commit;
 * - `@quire review` on a pull request → a review with inline comments (once review mode exists);
 * - an image uploaded to the forge in a comment → given to the model with the task or the follow-up.
 * - each delivery made for a comment posts the workspace's `task.delivered` webhook, like the API's.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { reviewModeAvailable, type ForgeKindName } from "@quire/server";
import { ONE_PIXEL_PNG, type ScriptedReply, type ScriptedModelServer } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../../packages/server/testing/forges.js";
import { commentEvent, sendWebhook } from "../../packages/server/testing/webhooks.js";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { imagesSent, inputImage, requestText } from "../helpers/requests.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, startServe, type ServeProcess } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const TOKEN = "forge-token-e2e";
const SECRET = "forge-webhook-secret-e2e";
const PROJECT = "acme/tiny";
const writer = { login: "wanda", id: 21, access: "write" as const };
const addNotesPatch = ["*** Begin Patch", "*** Add File: NOTES.md", "+add() adds now.", "*** End Patch"].join("\n");

const codeReplies: ScriptedReply[] = [
  { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
  { text: "Fixed `add`: it subtracted." },
  { toolCalls: [{ name: "apply_patch", arguments: { input: addNotesPatch } }] },
  { text: "Wrote NOTES.md." },
];

/** What the scripted review ends with: one finding at the changed line, one outside the diff. */
const reviewResult = {
  findings: [
    {
      title: "Check overflow",
      body: "Large numbers?",
      priority: 2,
      confidence: 0.6,
      path: "src/add.js",
      start_line: 2,
      end_line: 2,
    },
    {
      title: "Test name",
      body: "Say what it checks.",
      priority: 3,
      confidence: 0.4,
      path: "test.js",
      start_line: 6,
      end_line: 6,
    },
  ],
  overall: { verdict: "correct", explanation: "The fix is right." },
};

const ENV_NAMES: Record<ForgeKindName, { token: string; secret: string; urlKey: string }> = {
  github: { token: "GITHUB_TOKEN", secret: "QUIRE_GITHUB_WEBHOOK_SECRET", urlKey: "api_url" },
  gitlab: { token: "GITLAB_TOKEN", secret: "QUIRE_GITLAB_WEBHOOK_SECRET", urlKey: "url" },
  gitea: { token: "GITEA_TOKEN", secret: "QUIRE_GITEA_WEBHOOK_SECRET", urlKey: "url" },
};

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Setup {
  server: ServeProcess;
  model: ScriptedModelServer;
  forge: TestForge;
  bare: string;
  /** The workspace's webhook posts (every event), parsed. */
  notices: { event: string; task: Record<string, unknown> }[];
  comment(number: number, onPullRequest: boolean, text: string): Promise<void>;
}

/** A webhook receiver: every post's JSON body, in order. */
async function startReceiver(): Promise<{ port: number; notices: Setup["notices"] }> {
  const notices: Setup["notices"] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      notices.push(JSON.parse(body) as Setup["notices"][number]);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({ stop: () => new Promise((resolve) => server.close(resolve)) });
  return { port: (server.address() as AddressInfo).port, notices };
}

async function setUp(kind: ForgeKindName): Promise<Setup> {
  const model = await scriptedModel(
    perConversation((_key, turn, request) => {
      const body = JSON.stringify(request.body);
      // Review mode's prompt (review.md) names what to flag.
      if (body.includes("What to flag")) return { text: JSON.stringify(reviewResult) };
      if (body.includes("answering a question about a codebase")) {
        return { text: "`add` is defined in `src/add.js:1-3`; it is tested by test.js:2." };
      }
      return codeReplies[turn] ?? { text: "Nothing more." };
    }),
  );
  const bare = mkdtempSync(path.join(os.tmpdir(), "quire-forge-e2e-bare-"));
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
  const source = makeRepo(failingTestRepo);
  git(source, "remote", "add", "origin", bare);
  git(source, "push", "--quiet", "origin", "main");
  const forge = await startTestForge({ kind, token: TOKEN, project: PROJECT, gitDir: bare, users: [writer] });
  running.push({ stop: () => forge.close() });
  const receiver = await startReceiver();
  const home = tempHome();
  const names = ENV_NAMES[kind];
  const port = new URL(forge.url).port;
  const allowed = `["127.0.0.1:${port}", "127.0.0.1:${receiver.port}"]`;
  writeFileSync(
    path.join(home, "config.toml"),
    `[outbound]\nallow_private = ${allowed}\n\n[forges.${kind}]\n${names.urlKey} = "${forge.url}"\n`,
  );
  const env = { ...providerEnv("openai", model.url), [names.token]: TOKEN, [names.secret]: SECRET };
  const server = await startServe({ home, env, args: ["-m", "scripted-model", "--workers", "2"] });
  running.push(server);
  const registered = await api<{ repository: { forge: unknown } }>(`${server.url}/api/repositories`, "POST", {
    name: "tiny",
    source,
    forge: { kind, repo: PROJECT },
  });
  expect(registered.status).toBe(201);
  const hook = await api(`${server.url}/api/webhooks`, "POST", { url: `http://127.0.0.1:${receiver.port}/hook` });
  expect(hook.status).toBe(201);
  const comment = async (number: number, onPullRequest: boolean, text: string) => {
    const delivery = commentEvent(kind, {
      project: PROJECT,
      number,
      onPullRequest,
      title: "add() is wrong",
      description: "2 + 3 is not -1.",
      comment: text,
      author: writer,
    });
    const sent = await sendWebhook(server.url, kind, { ...delivery, secret: SECRET });
    expect(sent.status).toBe(202);
  };
  return { server, model, forge, bare, notices: receiver.notices, comment };
}

describe.each(["github", "gitlab", "gitea"] as ForgeKindName[])("@quire in %s comments through quire serve", (kind) => {
  it("turns an issue comment into a pull request, a pull request comment into a follow-up on its branch, and answers questions with links", async () => {
    const { forge, model, bare, notices, comment } = await setUp(kind);
    const delivered = () => notices.filter((notice) => notice.event === "task.delivered");
    const on = (number: number, text: string) => () =>
      forge.comments.find((c) => c.number === number && c.body.includes(text));

    await comment(5, false, "@quire fix the failing test");
    const started = await until(on(5, "Quire started a task"), "the task's link");
    expect(started.body).toMatch(/\/tasks\/\w+/);

    const done = await until(on(5, "**Summary**"), "the comment after delivery");
    const [pull] = forge.pulls;
    expect(pull).toBeDefined();
    expect(pull!.body).toContain("Fixes #5");
    expect(pull!.base).toBe("main");
    const pullUrl =
      kind === "gitlab"
        ? `${forge.url}/${PROJECT}/-/merge_requests/${pull!.number}`
        : `${forge.url}/${PROJECT}/pull/${pull!.number}`;
    expect(done.body).toContain(`Quire opened ${pullUrl}`);
    expect(done.body).toContain("Fixed `add`: it subtracted.");
    expect(done.body).toContain("**Verification:**");
    expect(done.body).toContain(started.body.match(/\/tasks\/\w+/)![0]);
    const first = git(bare, "rev-parse", `refs/heads/${pull!.head}`).trim();
    expect(git(bare, "show", `${first}:src/add.js`)).toContain("return a + b;");
    // The delivery made for the comment told the workspace's webhook, with the branch and pull request.
    const taskId = started.body.match(/\/tasks\/(\w+)/)![1];
    await until(() => (delivered().length === 1 ? true : undefined), "the task.delivered webhook", 20_000);
    expect(delivered()[0]!.task).toMatchObject({
      id: taskId,
      delivery: { branch: pull!.head, commit: first, pull_request: pullUrl },
    });

    const after = forge.upload("after.png", ONE_PIXEL_PNG);
    await comment(pull!.number, true, `@quire also write down what changed\n\n![after](${after})`);
    const acknowledged = await until(on(pull!.number, "follow-up"), "the follow-up's acknowledgement");
    expect(acknowledged.body).not.toContain("Images of the comment");
    const reply = await until(on(pull!.number, "**Summary**"), "the reply after the follow-up");
    expect(reply.body).toContain("Wrote NOTES.md.");
    const second = git(bare, "rev-parse", `refs/heads/${pull!.head}`).trim();
    expect(second).not.toBe(first);
    expect(git(bare, "rev-parse", `${second}^`).trim()).toBe(first);
    expect(git(bare, "show", `${second}:NOTES.md`)).toBe("add() adds now.\n");
    expect(forge.pulls).toHaveLength(1);
    // The follow-up's image reached the model with its words (the comment had none).
    const followUpRequest = model.requests.find((r) => requestText(r).includes("also write down what changed"));
    expect(imagesSent(followUpRequest!)).toEqual([inputImage]);
    // The follow-up's delivery too: the same branch, one commit further.
    await until(() => (delivered().length === 2 ? true : undefined), "the follow-up's task.delivered", 20_000);
    expect(delivered()[1]!.task).toMatchObject({ id: taskId, delivery: { branch: pull!.head, commit: second } });

    const screenshot = forge.upload("screenshot.png", ONE_PIXEL_PNG);
    await comment(6, false, `@quire ask where is add defined?\n\n![screenshot](${screenshot})`);
    const answer = await until(on(6, "is defined in"), "the answer");
    const askRequest = model.requests.find((r) => requestText(r).includes("where is add defined?"));
    expect(imagesSent(askRequest!)).toEqual([inputImage]);
    const base = git(bare, "rev-parse", "refs/heads/main").trim();
    const anchor = kind === "gitlab" ? "#L1-3" : "#L1-L3";
    const blob = kind === "github" ? "/blob/" : kind === "gitlab" ? "/-/blob/" : "/src/commit/";
    expect(answer.body).toContain(`[\`src/add.js:1-3\`](`);
    expect(answer.body).toContain(`${blob}${base}/src/add.js${anchor})`);
  }, 240_000);

  it.skipIf(!reviewModeAvailable)(
    'posts `@quire review` as a review with inline comments (waits for review mode: task mode "review" in the task API)',
    async () => {
      const { forge, comment } = await setUp(kind);
      await comment(5, false, "@quire fix the failing test");
      const [pull] = [await until(() => forge.pulls[0], "the pull request")];
      // The comment after delivery comes once the delivery is recorded with the task: from then on
      // the pull request is known as Quire's (the pull request itself is opened just before).
      await until(() => forge.comments.find((c) => c.number === 5 && c.body.includes("**Summary**")), "delivery");
      await comment(pull!.number, true, "@quire review");
      const inline = await until(() => {
        const comments = forge.reviews.flatMap((review) => review.comments);
        return comments.length > 0 ? comments : undefined;
      }, "the review");
      expect(inline).toEqual([expect.objectContaining({ path: "src/add.js", line: 2 })]);
      // GitLab takes the inline findings as discussions one by one and the body as a note after
      // them: the body may land a moment after the first inline comment.
      const outside = "`test.js:6` **[P3] Test name**";
      const bodies = () => [...forge.reviews.map((review) => review.body), ...forge.comments.map((c) => c.body)];
      const body = await until(() => bodies().find((text) => text.includes(outside)), "the review's body");
      expect(body).toContain(outside);
    },
    240_000,
  );
});

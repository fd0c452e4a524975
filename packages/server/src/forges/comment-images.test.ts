/**
 * Images in `@quire` comments, for each forge, over real HTTP with the local test forge: its own
 * uploads are downloaded (a redirect to its storage followed without the token) and stored with the
 * task; a link on another host is not fetched at all, a redirect to an address the destination rule
 * refuses is not followed, a file that is not an image and one over the count are skipped, and the
 * reply says which and why. A text-only model takes none, and nothing is downloaded.
 * (The model receiving them: test/e2e/forge-comments.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import os from "node:os";
import path from "node:path";
import type { ModelReadiness } from "@quire/core";
import { listenLocally, ONE_PIXEL_PNG, until } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../test/helpers/repo.js";
import { forgesFromEnv, type ForgeKindName, type ForgesConfigInput } from "../delivery/index.js";
import { postJson, startTestApi, type TestApi } from "../../testing/api.js";
import { startTestForge, type FakeForgeUser, type TestForge } from "../../testing/forges.js";
import { commentEvent, sendWebhook } from "../../testing/webhooks.js";

const SECRET = "webhook-secret-for-tests";
const TOKEN = "forge-token-for-tests";
const PROJECT = "acme/widgets";
const writer: FakeForgeUser = { login: "wanda", id: 11, access: "write" };
/** Another PNG (its bytes differ after the signature), to tell the two apart once stored. */
const OTHER_PNG = Buffer.concat([ONE_PIXEL_PNG, Buffer.from("second")]);
const SCRIPT = Buffer.from("#!/bin/sh\necho a script named like a picture\n");

function forgeInput(kind: ForgeKindName, url: string): ForgesConfigInput {
  if (kind === "github") return { github: { apiUrl: url, token: TOKEN, webhookSecret: SECRET } };
  if (kind === "gitlab") return { gitlab: { host: url, token: TOKEN, webhookSecret: SECRET } };
  return { gitea: { url, token: TOKEN, webhookSecret: SECRET } };
}

/** A server that is not the forge: serves a PNG at any path and records what it was asked. */
async function startOtherHost() {
  const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    res.writeHead(200, { "content-type": "image/png" }).end(OTHER_PNG);
  });
  const listener = await listenLocally(server);
  return { url: listener.origin, port: new URL(listener.origin).port, requests, close: listener.close };
}

/** What names an upload in the forge's request path: GitLab's secret, else the last segment. */
function uploadId(link: string): string {
  const segments = link.split("/");
  return link.startsWith("/uploads/") ? segments[2]! : segments.at(-1)!;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function setUp(kind: ForgeKindName, modelStatus?: ModelReadiness) {
  const bare = mkdtempSync(path.join(os.tmpdir(), "quire-forge-bare-"));
  execFileSync("git", ["init", "--quiet", "--bare", bare]);
  const forge: TestForge = await startTestForge({
    kind,
    token: TOKEN,
    project: PROJECT,
    gitDir: bare,
    users: [writer],
  });
  closers.push(() => forge.close());
  const elsewhere = await startOtherHost();
  closers.push(() => elsewhere.close());
  const hidden = await startOtherHost();
  closers.push(() => hidden.close());
  const api: TestApi = await startTestApi("sqlite", {
    modelStatus,
    delivery: {
      author: { name: "Q", email: "q@example.test" },
      forges: forgesFromEnv({}, forgeInput(kind, forge.url)),
    },
  });
  closers.push(() => api.close());
  // The forge and the other host may be reached; the hidden one is as private as any local address.
  const allowed = [new URL(forge.url).port, elsewhere.port].map((port) => `"127.0.0.1:${port}"`);
  writeFileSync(path.join(api.home, "config.toml"), `[outbound]\nallow_private = [${allowed.join(", ")}]\n`);
  const response = await postJson(`${api.url}/api/repositories`, {
    name: "widgets",
    source: makeRepo({ "a.txt": "a\n" }),
    forge: { kind, repo: PROJECT },
  });
  expect(response.status).toBe(201);
  const { repository } = (await response.json()) as { repository: { id: string } };
  const comment = async (text: string) => {
    const delivery = commentEvent(kind, {
      project: PROJECT,
      number: 5,
      onPullRequest: false,
      title: "t",
      comment: text,
      author: writer,
    });
    expect((await sendWebhook(api.url, kind, { ...delivery, secret: SECRET })).status).toBe(202);
    return until(() => forge.comments.find((c) => c.body.includes("Quire started")), "the reply");
  };
  const task = async () => {
    const [only] = await api.repos.tasks.list({ repositoryId: repository.id });
    return only!;
  };
  return { api, forge, elsewhere, hidden, comment, task };
}

describe.each(["github", "gitlab", "gitea"] as ForgeKindName[])("images in %s comments", (kind) => {
  it("attaches the forge's own uploads to the task, and says which were skipped and why", async () => {
    const { api, forge, elsewhere, hidden, comment, task } = await setUp(kind);
    const first = forge.upload("first.png", ONE_PIXEL_PNG);
    const script = forge.upload("notes.png", SCRIPT);
    const offHost = `${elsewhere.url}/user-attachments/assets/not-the-forge`;
    const stored = forge.upload("stored.png", { redirect: `${elsewhere.url}/storage/stored.png` });
    const toPrivate = forge.upload("hidden.png", { redirect: `${hidden.url}/metadata` });
    const fifth = forge.upload("fifth.png", ONE_PIXEL_PNG);
    const reply = await comment(
      [
        "@quire ask what is wrong on this page?",
        `![first](${first}) ![notes](${script})`,
        `<img width="200" alt="elsewhere" src="${offHost}">`,
        `![stored](${stored}) ![hidden](${toPrivate}) ![fifth](${fifth})`,
      ].join("\n"),
    );

    const created = await task();
    const images = await api.repos.taskImages.forMessage(created.id, null);
    expect(images.map((image) => Buffer.from(image.data, "base64"))).toEqual([ONE_PIXEL_PNG, OTHER_PNG]);
    const name = { github: "GitHub", gitlab: "GitLab", gitea: "Gitea" }[kind];
    expect(reply.body).toContain(
      [
        "Images of the comment not given to the task:",
        `- \`${script}\`: not a PNG, JPEG, WebP or GIF image`,
        `- \`${offHost}\`: not on ${name}'s own host: only its uploads are fetched`,
        `- \`${toPrivate}\`: ${new URL(hidden.url).host} resolves only to private or local addresses, which Quire may not reach (config.toml [outbound] allow_private)`,
        `- \`${fifth}\`: over the limit of 4 images per message`,
      ].join("\n"),
    );
    // The link on another host was never asked for; the forge's redirect was followed without its token.
    expect(elsewhere.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ["/storage/stored.png", undefined],
    ]);
    expect(elsewhere.requests[0]!.headers["private-token"]).toBeUndefined();
    expect(hidden.requests).toEqual([]);
    // Four uploads were asked for (the count bounds downloads too): the fifth never was.
    const asked = (link: string) => forge.requests.some((request) => request.includes(uploadId(link)));
    expect([first, script, stored, toPrivate, fifth].map(asked)).toEqual([true, true, true, true, false]);
  });
});

describe("images in comments for a text-only model", () => {
  it("starts the task without them, downloads nothing, and says so", async () => {
    const textOnly = {
      ready: true,
      provider: "openai" as const,
      model: "words-only",
      message: null,
      imageInput: false,
    };
    const { api, forge, comment, task } = await setUp("github", textOnly);
    const shot = forge.upload("shot.png", ONE_PIXEL_PNG);
    const reply = await comment(`@quire ask what is this?\n\n![shot](${shot})`);
    expect(reply.body).toContain(`- \`${shot}\`: model words-only is configured as text-only (image_input = false)`);
    expect(await api.repos.taskImages.forMessage((await task()).id, null)).toEqual([]);
    expect(forge.requests.some((request) => request.includes("/user-attachments/"))).toBe(false);
  });
});

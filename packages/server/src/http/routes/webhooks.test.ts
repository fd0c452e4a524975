/**
 * `POST /api/webhooks/{id}/test`: one signed post to a real receiver, its outcome answered and
 * recorded as the webhook's last delivery, audited; admins only (a member is refused before
 * anything is sent).
 */
import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWebhook, Webhook, WebhookTestResult } from "@quire/protocol";
import { ADMIN, ApiClient, MULTI_USER } from "../../../testing/clients.js";
import { LOCAL_WORKSPACE_ID } from "../../storage/index.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
}

describe("sending a test post to a webhook", () => {
  let api: TestApi;
  let admin: ApiClient;
  let member: ApiClient;
  let receiver: http.Server;
  const received: Received[] = [];
  const statuses: number[] = [];
  let port: number;

  beforeAll(async () => {
    receiver = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push({ body, headers: request.headers });
        response.writeHead(statuses.shift() ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    port = (receiver.address() as AddressInfo).port;
    api = await startTestApi("sqlite", { auth: MULTI_USER });
    await writeFile(path.join(api.home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${port}"]\n`);
    const anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    const memberAccount = { email: "member@example.com", role: "member", password: "member-password-1" };
    await admin.json("POST", `/api/workspaces/${LOCAL_WORKSPACE_ID}/members`, memberAccount, 201);
    member = await anonymous.signIn(memberAccount.email, memberAccount.password);
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const lastDelivery = async (id: string) =>
    (await admin.json<{ webhooks: Webhook[] }>("GET", "/api/webhooks")).webhooks.find((hook) => hook.id === id)
      ?.lastDelivery;

  it("posts one signed test notice, answers how the receiver took it and records it; audited", async () => {
    const { webhook, secret } = await admin.json<CreatedWebhook>(
      "POST",
      "/api/webhooks",
      { url: `http://127.0.0.1:${port}/private/path`, events: ["task.finished"] },
      201,
    );
    const answer = await admin.json<WebhookTestResult>("POST", `/api/webhooks/${webhook.id}/test`);
    expect(answer).toEqual({ delivery: { status: "delivered", statusCode: 204, error: null } });
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post!.headers["x-quire-event"]).toBe("webhook.test");
    expect(post!.headers["x-quire-signature"]).toBe(
      `sha256=${createHmac("sha256", secret).update(post!.body).digest("hex")}`,
    );
    expect(JSON.parse(post!.body)).toMatchObject({
      event: "webhook.test",
      delivery_id: post!.headers["x-quire-delivery"],
      webhook: { id: webhook.id },
    });
    expect(await lastDelivery(webhook.id)).toMatchObject({
      status: "delivered",
      statusCode: 204,
      event: "webhook.test",
      attempts: 1,
    });

    // A failing receiver is the answer, not an error of the route; no retry follows.
    statuses.push(503);
    const failed = await admin.json<WebhookTestResult>("POST", `/api/webhooks/${webhook.id}/test`);
    expect(failed.delivery).toEqual({ status: "failed", statusCode: 503, error: "the receiver answered HTTP 503" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toHaveLength(2);
    expect(await lastDelivery(webhook.id)).toMatchObject({ status: "failed", statusCode: 503 });

    const audited = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "webhook.tested" });
    expect(audited.map((entry) => entry.target)).toEqual([`webhook:${webhook.id}`, `webhook:${webhook.id}`]);
    expect(JSON.stringify(audited)).not.toContain("private/path");
    expect(JSON.stringify(audited)).not.toContain(secret);
  });

  it("sends a Slack-format webhook a Slack message", async () => {
    const { webhook } = await admin.json<CreatedWebhook>(
      "POST",
      "/api/webhooks",
      { url: `http://127.0.0.1:${port}/services/T0/B0/x`, format: "slack" },
      201,
    );
    const before = received.length;
    await admin.json("POST", `/api/webhooks/${webhook.id}/test`);
    expect(JSON.parse(received[before]!.body)).toEqual({ text: "Quire test message: this webhook works." });
  });

  it("refuses a member and an unknown webhook without posting anything", async () => {
    const { webhook } = await admin.json<CreatedWebhook>(
      "POST",
      "/api/webhooks",
      { url: `http://127.0.0.1:${port}/m` },
      201,
    );
    const before = received.length;
    expect((await member.request("POST", `/api/webhooks/${webhook.id}/test`)).status).toBe(403);
    expect((await admin.request("POST", "/api/webhooks/no-such-webhook/test")).status).toBe(404);
    expect(received).toHaveLength(before);
  });
});

/**
 * The workspace's outbound webhooks (admins): created (the signing secret is in that one response
 * only), listed with their last delivery, removed. Sending is notifications/notifier.ts's.
 */
import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { z } from "zod";
import { audit, requireScope } from "../../accounts/index.js";
import { HttpError } from "../../errors.js";
import { WEBHOOK_EVENTS } from "../../storage/index.js";
import type { ApiContext } from "../api-context.js";
import { jsonBody, parseOr400 } from "../errors.js";

/** At most this many webhooks per workspace: each one is a post per finished task. */
export const MAX_WEBHOOKS = 20;

export const createWebhookBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .max(2048)
      .describe(
        "Where to post; reached only if the destination rule allows it (public addresses, or [outbound] allow_private).",
      ),
    format: z.enum(["json", "slack"]).default("json").describe("Quire's JSON, or a Slack-compatible `{text}` message."),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .default([...WEBHOOK_EVENTS])
      .describe("task.finished (every ending), task.failed, task.delivered."),
  })
  .strict();

export function webhookRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  app.post("/api/webhooks", async (c) => {
    const principal = requireScope(c, "admin");
    const body = parseOr400(createWebhookBody, await jsonBody(c), "webhook");
    if ((await repos.webhooks.list(principal.workspaceId)).length >= MAX_WEBHOOKS) {
      throw new HttpError(409, `a workspace has at most ${MAX_WEBHOOKS} webhooks: remove one first`);
    }
    const secret = `whsec_${randomBytes(24).toString("base64url")}`;
    const webhook = await repos.webhooks.create({
      workspaceId: principal.workspaceId,
      url: body.url,
      secret,
      format: body.format,
      events: [...new Set(body.events)],
      createdBy: principal.userId,
    });
    await audit(c, "webhook.created", `webhook:${webhook.id}`, {
      destination: webhook.urlHint,
      format: webhook.format,
    });
    // The only time the secret leaves the server: receivers check X-Quire-Signature with it.
    return c.json({ webhook, secret }, 201);
  });

  app.get("/api/webhooks", async (c) => {
    const principal = requireScope(c, "admin");
    return c.json({ webhooks: await repos.webhooks.list(principal.workspaceId) });
  });

  app.delete("/api/webhooks/:id", async (c) => {
    const principal = requireScope(c, "admin");
    const webhook = await repos.webhooks.get(c.req.param("id"));
    // Another workspace's webhook is as good as absent.
    if (!webhook || webhook.workspaceId !== principal.workspaceId) {
      throw new HttpError(404, `no webhook ${c.req.param("id")}`);
    }
    await repos.webhooks.remove(webhook.id);
    await audit(c, "webhook.removed", `webhook:${webhook.id}`, { destination: webhook.urlHint });
    return c.body(null, 204);
  });
}

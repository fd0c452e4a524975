/**
 * The workspace's outbound webhooks (admins): created (the signing secret is in that one response
 * only), listed with their last delivery, sent a test post, removed. Sending is notifications/'s.
 */
import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { createdWebhookResponse, createWebhookBody, webhooksResponse, webhookTestResponse } from "@quire/protocol";
import { audit, requireScope } from "../../accounts/index.js";
import { HttpError } from "../../errors.js";
import { sendTestNotice } from "../../notifications/index.js";
import type { Webhook } from "../../storage/index.js";
import type { ApiContext } from "../api-context.js";
import { declareRoute } from "../contract.js";
import { jsonBody, parseOr400 } from "../errors.js";
import { denied, empty, error, ok } from "../responses.js";

/** At most this many webhooks per workspace: each one is a post per finished task. */
export const MAX_WEBHOOKS = 20;

export function webhookRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  const create = {
    method: "post",
    path: "/api/webhooks",
    summary: "Add a webhook (admins): the answer carries its signing secret, shown only once",
    body: createWebhookBody,
    responses: {
      201: ok("{ webhook, secret }", createdWebhookResponse),
      400: error("Invalid body."),
      409: error(`The workspace has its ${MAX_WEBHOOKS} webhooks.`),
      ...denied,
    },
  } as const;
  declareRoute(app, create, async (c) => {
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

  const list = {
    method: "get",
    path: "/api/webhooks",
    summary: "The workspace's webhooks with their last delivery (admins); never their secrets",
    responses: { 200: ok("{ webhooks }", webhooksResponse), ...denied },
  } as const;
  declareRoute(app, list, async (c) => {
    const principal = requireScope(c, "admin");
    return c.json({ webhooks: await repos.webhooks.list(principal.workspaceId) });
  });

  /** The caller's workspace's webhook; another workspace's is as good as absent. */
  const ownWebhook = async (workspaceId: string, id: string): Promise<Webhook> => {
    const webhook = await repos.webhooks.get(id);
    if (!webhook || webhook.workspaceId !== workspaceId) throw new HttpError(404, `no webhook ${id}`);
    return webhook;
  };

  const test = {
    method: "post",
    path: "/api/webhooks/{id}/test",
    summary: "Send a test post to a webhook now (admins): one signed try, no retry, recorded as its last delivery",
    description:
      'The body is `{event: "webhook.test", delivery_id, sent_at, webhook: {id}}` (or a Slack `{text}`), with ' +
      "`x-quire-event: webhook.test`. The answer says how the receiver answered; a failing receiver is still a 200.",
    responses: {
      200: ok("{ delivery: { status, statusCode, error } }", webhookTestResponse),
      404: error("No such webhook."),
      ...denied,
    },
  } as const;
  declareRoute(app, test, async (c) => {
    const principal = requireScope(c, "admin");
    const webhook = await ownWebhook(principal.workspaceId, c.req.param("id"));
    const delivery = await sendTestNotice(ctx, webhook.id);
    if (!delivery) throw new HttpError(404, `no webhook ${webhook.id}`);
    await audit(c, "webhook.tested", `webhook:${webhook.id}`, {
      destination: webhook.urlHint,
      status: delivery.status,
      statusCode: delivery.statusCode,
    });
    return c.json({ delivery });
  });

  const remove = {
    method: "delete",
    path: "/api/webhooks/{id}",
    summary: "Remove a webhook (admins)",
    responses: { 204: empty("Removed."), 404: error("No such webhook."), ...denied },
  } as const;
  declareRoute(app, remove, async (c) => {
    const principal = requireScope(c, "admin");
    const webhook = await ownWebhook(principal.workspaceId, c.req.param("id"));
    await repos.webhooks.remove(webhook.id);
    await audit(c, "webhook.removed", `webhook:${webhook.id}`, { destination: webhook.urlHint });
    return c.body(null, 204);
  });
}

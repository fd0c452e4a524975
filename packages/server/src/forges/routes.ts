/**
 * POST /api/forges/{github,gitlab,gitea}/webhook: the forges' webhooks in. In this order: the
 * signature over the raw body (401, nothing created), the delivery id (a replay does nothing),
 * the event (others acknowledged and ignored), the linked repository (unlinked ones likewise);
 * then the work runs after the answer, since forges give up on slow webhooks (GitHub: 10 s).
 * The body is bounded by the server's request limit (413) before any of this.
 */
import type { Context, Hono } from "hono";
import { FORGE_KINDS, webhookAnswer, webhookHeaders, webhookPayload, type WebhookAnswer } from "@quire/protocol";
import type { ForgeKindName } from "../delivery/forges-config.js";
import { FORGE_ENV } from "../delivery/forges-config.js";
import { HttpError } from "../errors.js";
import { declareRoute } from "../http/contract.js";
import { error, ok } from "../http/responses.js";
import type { ForgeAnswers } from "./answers.js";
import { autoReview } from "./auto-review.js";
import { handleComment } from "./handle-comment.js";
import type { ForgeContext } from "./settings.js";
import { readForgeEvent } from "./webhook-events.js";
import { deliveryId, eventName, verifyWebhook } from "./webhook-verify.js";

export { FORGE_KINDS };

export function webhookPath(kind: ForgeKindName): string {
  return `/api/forges/${kind}/webhook`;
}

const SIGNED_BY = {
  github: "X-Hub-Signature-256 (HMAC-SHA256 of the body); X-GitHub-Delivery; X-GitHub-Event",
  gitlab: "X-Gitlab-Token (the secret); X-Gitlab-Event-UUID; X-Gitlab-Event",
  gitea: "X-Gitea-Signature (HMAC-SHA256 of the body; Forgejo's X-Forgejo-* too); X-Gitea-Delivery; X-Gitea-Event",
} as const;

function webhookRoute(kind: ForgeKindName) {
  return {
    method: "post",
    path: webhookPath(kind),
    summary: `${kind} webhook: comments mentioning Quire, and pull requests for automatic review`,
    description:
      `Signed by the forge (${SIGNED_BY[kind]}); no Quire credential. The signature is checked over the raw body ` +
      "first. Comment events (issue_comment / Note Hook / issue_comment and pull_request_comment) and pull request " +
      "events are acted on for linked repositories; the work runs after the answer (docs/forges.md).",
    headers: webhookHeaders[kind],
    body: webhookPayload,
    responses: {
      202: ok('{ status: "accepted" | "ignored", reason? }: taken, or acknowledged and ignored.', webhookAnswer),
      200: ok('{ status: "duplicate" }: a delivery id seen before; nothing was done.', webhookAnswer),
      400: error("No delivery id, or the body is not JSON."),
      401: error("Missing or wrong signature: nothing was created."),
      404: error("No webhook secret is configured for this forge."),
      413: error("Body over the request limit."),
    },
  } as const;
}

export function forgeRoutes(app: Hono, ctx: ForgeContext, answers: ForgeAnswers): void {
  for (const kind of FORGE_KINDS) {
    declareRoute(app, webhookRoute(kind), (c) => receive(c, kind, ctx, answers));
  }
}

async function receive(c: Context, kind: ForgeKindName, ctx: ForgeContext, answers: ForgeAnswers): Promise<Response> {
  const secret = ctx.delivery.forges[kind].webhookSecret;
  if (!secret) {
    throw new HttpError(404, `the ${kind} webhook is off: no secret is configured (${FORGE_ENV[kind].webhookSecret})`);
  }
  const raw = await c.req.text();
  const header = (name: string) => c.req.header(name);
  if (!(await verifyWebhook(kind, secret, raw, header))) {
    throw new HttpError(401, `the ${kind} webhook's signature is missing or wrong`);
  }
  const id = deliveryId(kind, header);
  if (!id) throw new HttpError(400, `the ${kind} webhook has no delivery id header`);
  const answer = (body: WebhookAnswer, status: 200 | 202) => c.json(body, status);
  if (!(await ctx.repos.forges.firstDelivery(kind, id))) return answer({ status: "duplicate" }, 200);
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw new HttpError(
      400,
      `the ${kind} webhook's body is not JSON (set the webhook's content type to application/json)`,
    );
  }
  const event = readForgeEvent(kind, eventName(kind, header), payload);
  if (!event) return answer({ status: "ignored", reason: "not an event Quire acts on" }, 202);
  const linked = await ctx.repos.repositories.findByForge(kind, event.repo);
  if (linked.length === 0) return answer({ status: "ignored", reason: "no repository is linked to this project" }, 202);
  if (!ctx.delivery.forges.publicUrl) answers.linkBase = new URL(c.req.url).origin;
  const work =
    event.type === "comment" ? handleComment(ctx, answers, event, answers.linkBase) : autoReview(ctx, answers, event);
  void work
    .then((outcome) =>
      ctx.logger.info({ forge: kind, delivery: id, event: event.type, outcome }, "forge webhook handled"),
    )
    .catch((error: unknown) => ctx.logger.error({ err: error, forge: kind, delivery: id }, "forge webhook failed"));
  return answer({ status: "accepted" }, 202);
}

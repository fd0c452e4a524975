/**
 * POST /api/forges/{github,gitlab,gitea}/webhook: the forges' webhooks in. In this order: the
 * signature over the raw body (401, nothing created), the delivery id (a replay does nothing),
 * the event (others acknowledged and ignored), the linked repository (unlinked ones likewise);
 * then the work runs after the answer, since forges give up on slow webhooks (GitHub: 10 s).
 * The body is bounded by the server's request limit (413) before any of this.
 */
import type { Context, Hono } from "hono";
import type { ForgeKindName } from "../delivery/forges-config.js";
import { FORGE_ENV } from "../delivery/forges-config.js";
import { HttpError } from "../errors.js";
import type { ForgeAnswers } from "./answers.js";
import { autoReview } from "./auto-review.js";
import { handleComment } from "./handle-comment.js";
import type { WebhookAnswer } from "./schemas.js";
import type { ForgeContext } from "./settings.js";
import { readForgeEvent } from "./webhook-events.js";
import { deliveryId, eventName, verifyWebhook } from "./webhook-verify.js";

export const FORGE_KINDS: readonly ForgeKindName[] = ["github", "gitlab", "gitea"];

export function webhookPath(kind: ForgeKindName): string {
  return `/api/forges/${kind}/webhook`;
}

export function forgeRoutes(app: Hono, ctx: ForgeContext, answers: ForgeAnswers): void {
  for (const kind of FORGE_KINDS) {
    app.post(webhookPath(kind), (c) => receive(c, kind, ctx, answers));
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

/**
 * A test post to one webhook ("Send test" in the web app, `POST /api/webhooks/{id}/test`): made at
 * once and once (no retry, nothing stored to try later), signed like any other, through the same
 * destination rule, and recorded as the webhook's last delivery so the list shows how it went.
 */
import { randomUUID } from "node:crypto";
import type { Repos } from "../storage/index.js";
import { testNoticeBody } from "./notice.js";
import { postWebhook, webhookDestinationRule, webhookHeaders } from "./sender.js";

/** `x-quire-event` of a test post: not an event anyone subscribes to. */
export const TEST_EVENT = "webhook.test";

export interface TestNoticeOutcome {
  status: "delivered" | "failed";
  statusCode: number | null;
  error: string | null;
}

/** Undefined when there is no such webhook (any more). */
export async function sendTestNotice(
  ctx: { repos: Pick<Repos, "webhooks">; home: string },
  webhookId: string,
): Promise<TestNoticeOutcome | undefined> {
  const target = await ctx.repos.webhooks.target(webhookId);
  if (!target) return undefined;
  const deliveryId = randomUUID();
  const body = testNoticeBody(target.format, deliveryId, target.id);
  const headers = webhookHeaders(target.secret, body, TEST_EVENT, deliveryId);
  const outcome = await postWebhook(target.url, body, headers, await webhookDestinationRule(ctx.home));
  const result: TestNoticeOutcome = {
    status: outcome.ok ? "delivered" : "failed",
    statusCode: outcome.statusCode,
    error: outcome.error,
  };
  await ctx.repos.webhooks.recordDelivery(target.id, { ...result, event: TEST_EVENT, attempts: 1 });
  return result;
}

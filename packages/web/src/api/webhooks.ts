/** The workspace's outbound webhooks (docs/server.md#webhooks): admins only, like the page that uses them. */
import type { CreatedWebhook, NewWebhook, Webhook, WebhookTestResult } from "@quire/protocol";
import { request } from "./client";

const webhookPath = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

export const webhooksApi = {
  list: async () => (await request<{ webhooks: Webhook[] }>("GET", "/api/webhooks")).webhooks,
  /** The signing secret is in this answer only. */
  create: (webhook: NewWebhook) => request<CreatedWebhook>("POST", "/api/webhooks", webhook),
  /** One test post now; the answer says how the receiver took it. */
  test: async (id: string) => (await request<WebhookTestResult>("POST", `${webhookPath(id)}/test`)).delivery,
  remove: (id: string) => request<void>("DELETE", webhookPath(id)),
};

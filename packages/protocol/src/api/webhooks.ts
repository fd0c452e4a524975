/** A workspace's outbound webhooks (docs/server.md): created by admins, listed with their last delivery. */
import { z } from "zod";
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from "../constants.js";
import { timestamp } from "./common.js";

export const createWebhookBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .max(2048)
      .describe(
        "Where to post; reached only if the destination rule allows it (public addresses, or [outbound] allow_private).",
      ),
    format: z.enum(WEBHOOK_FORMATS).default("json").describe("Quire's JSON, or a Slack-compatible `{text}` message."),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .default([...WEBHOOK_EVENTS])
      .describe("task.finished (every ending), task.failed, task.delivered."),
  })
  .strict()
  .meta({ id: "CreateWebhook" });
export type NewWebhook = z.input<typeof createWebhookBody>;

/** What the API shows of a webhook: the URL's origin only, never the secret. */
export const webhookSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    urlHint: z.string().describe("The URL's origin only."),
    format: z.enum(WEBHOOK_FORMATS),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    createdAt: timestamp,
    createdBy: z.string().nullable(),
    lastDelivery: z
      .object({
        status: z.enum(["delivered", "failed"]),
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
        event: z.string().nullable(),
        attempts: z.number().int(),
        at: timestamp,
      })
      .nullable(),
  })
  .meta({ id: "Webhook" });
export type Webhook = z.infer<typeof webhookSchema>;

export const webhooksResponse = z.object({ webhooks: z.array(webhookSchema) });

/** The answer to a new webhook: the only time its signing secret leaves the server. */
export const createdWebhookResponse = z.object({
  webhook: webhookSchema,
  secret: z.string().describe("Receivers check X-Quire-Signature (HMAC-SHA256 of the body) with it; shown once."),
});
export type CreatedWebhook = z.infer<typeof createdWebhookResponse>;

/** The outcome of a test post (`POST /api/webhooks/{id}/test`): one try, no retry. */
export const webhookTestResponse = z.object({
  delivery: z.object({
    status: z.enum(["delivered", "failed"]),
    statusCode: z.number().int().nullable().describe("The receiver's answer; null when none came."),
    error: z.string().nullable().describe("Why it failed, in words (never the URL's path or the secret)."),
  }),
});
export type WebhookTestResult = z.infer<typeof webhookTestResponse>;

/**
 * Forges (docs/forges.md): a repository's link to its GitHub, GitLab or Gitea project, and the
 * webhook routes' answers. The webhooks' request bodies are each forge's own payloads.
 */
import { z } from "zod";
import { FORGE_KINDS } from "../constants.js";

export const forgeKindSchema = z.enum(FORGE_KINDS);

const forgeSegment = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

/** A repository's forge project as stored and shown. */
export const forgeLinkSchema = z
  .object({
    kind: forgeKindSchema,
    repo: z.string().describe('The project on the forge: "owner/name" (GitLab: "group/sub/name").'),
  })
  .meta({ id: "ForgeLink" });

/** A forge project named on POST /api/repositories: `owner/name` on GitHub and Gitea, `group/…/name` on GitLab. */
export const forgeLinkBody = z
  .object({
    kind: forgeKindSchema,
    repo: z
      .string()
      .trim()
      .min(3)
      .max(1024)
      .describe('The project on the forge: "owner/name" (GitLab: "group/sub/name").'),
  })
  .strict()
  .superRefine((link, context) => {
    const parts = link.repo.split("/");
    const shape = link.kind === "gitlab" ? parts.length >= 2 : parts.length === 2;
    if (!shape || !parts.every((part) => forgeSegment.test(part) && part !== ".." && part !== ".")) {
      const expected = link.kind === "gitlab" ? '"group/name" or "group/sub/name"' : '"owner/name"';
      context.addIssue({ code: "custom", path: ["repo"], message: `must be ${expected}` });
    }
  });

/** A webhook's answer: 202 accepted or ignored (with why), 200 for a delivery id seen before. */
export const webhookAnswer = z
  .object({
    status: z.enum(["accepted", "ignored", "duplicate"]),
    reason: z.string().optional(),
  })
  .meta({ id: "WebhookAnswer" });

/** Any forge's event payload: read by the server per forge, after the signature is checked. */
export const webhookPayload = z.looseObject({}).describe("The forge's own event payload (JSON).");

const header = (description: string) => z.string().optional().describe(description);

/** The headers each forge signs and names its deliveries with (lowercase, as HTTP/2 spells them). */
export const webhookHeaders = {
  github: z.object({
    "x-hub-signature-256": header("sha256=HMAC-SHA256 of the raw body with the webhook secret."),
    "x-github-delivery": header("The delivery's id: a replay of it does nothing."),
    "x-github-event": header("The event: issue_comment, pull_request."),
  }),
  gitlab: z.object({
    "x-gitlab-token": header("The webhook secret itself."),
    "x-gitlab-event-uuid": header("The delivery's id: a replay of it does nothing."),
    "x-gitlab-event": header("The event: Note Hook, Merge Request Hook."),
  }),
  gitea: z.object({
    "x-gitea-signature": header("Hex HMAC-SHA256 of the raw body with the webhook secret."),
    "x-gitea-delivery": header("The delivery's id: a replay of it does nothing."),
    "x-gitea-event": header("The event: issue_comment, pull_request_comment, pull_request."),
  }),
} as const;

export type ForgeKind = z.infer<typeof forgeKindSchema>;
export type ForgeLink = z.infer<typeof forgeLinkSchema>;
export type WebhookAnswer = z.infer<typeof webhookAnswer>;

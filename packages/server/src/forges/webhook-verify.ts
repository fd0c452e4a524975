/**
 * Checking that a webhook delivery comes from the forge: each forge's own scheme, over the raw
 * body, compared in constant time, before anything reads the body.
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` (@octokit/webhooks-methods).
 * - GitLab: `X-Gitlab-Token: <the secret>` (GitLab sends the secret itself, over TLS).
 * - Gitea/Forgejo: `X-Gitea-Signature: <hex HMAC-SHA256 of the body>` (Forgejo also sends X-Forgejo-Signature).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { verify as verifyGitHubSignature } from "@octokit/webhooks-methods";
import type { ForgeKindName } from "../delivery/forges-config.js";

export type HeaderReader = (name: string) => string | undefined;

/** Equal strings, in time that does not depend on where they differ (hashed first: lengths may differ). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function verifyWebhook(
  kind: ForgeKindName,
  secret: string,
  rawBody: string,
  header: HeaderReader,
): Promise<boolean> {
  if (kind === "github") {
    const signature = header("x-hub-signature-256");
    if (!signature) return false;
    try {
      return await verifyGitHubSignature(secret, rawBody, signature);
    } catch {
      return false;
    }
  }
  if (kind === "gitlab") {
    const token = header("x-gitlab-token");
    return token !== undefined && sameSecret(token, secret);
  }
  const signature = header("x-gitea-signature") ?? header("x-forgejo-signature");
  if (!signature) return false;
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
  return sameSecret(signature.trim().toLowerCase(), expected);
}

/** The delivery's id, for recognising a replay: X-GitHub-Delivery, X-Gitlab-Event-UUID, X-Gitea-Delivery. */
export function deliveryId(kind: ForgeKindName, header: HeaderReader): string | undefined {
  const name = kind === "github" ? "x-github-delivery" : kind === "gitlab" ? "x-gitlab-event-uuid" : "x-gitea-delivery";
  const value = (header(name) ?? (kind === "gitea" ? header("x-forgejo-delivery") : undefined))?.trim();
  return value && value.length <= 200 ? value : undefined;
}

/** The event's name: X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event. */
export function eventName(kind: ForgeKindName, header: HeaderReader): string {
  const name = kind === "github" ? "x-github-event" : kind === "gitlab" ? "x-gitlab-event" : "x-gitea-event";
  return (header(name) ?? (kind === "gitea" ? header("x-forgejo-event") : undefined) ?? "").trim();
}

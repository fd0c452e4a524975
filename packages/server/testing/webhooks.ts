/**
 * For tests: webhook deliveries as each forge sends them, with the real headers (event name,
 * delivery id, signature or token) and the fields of the real payloads (GitHub `issue_comment`,
 * GitLab `Note Hook`, Gitea `issue_comment`). Kept free of vitest.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { ForgeKindName } from "../src/delivery/forges-config.js";
import type { FakeForgeUser } from "./forges.js";

export interface CommentPayloadInput {
  project: string;
  number: number;
  onPullRequest: boolean;
  title: string;
  description?: string;
  comment: string;
  author: FakeForgeUser;
}

/** The event name header's value and the payload of a new comment, per forge. */
export function commentEvent(kind: ForgeKindName, input: CommentPayloadInput): { event: string; payload: unknown } {
  const [owner = "", name = ""] = input.project.split("/");
  if (kind === "gitlab") {
    const subject = { iid: input.number, title: input.title, description: input.description ?? "" };
    return {
      event: "Note Hook",
      payload: {
        object_kind: "note",
        event_type: "note",
        user: { id: input.author.id, name: input.author.login, username: input.author.login },
        project: { path_with_namespace: input.project, web_url: `https://gitlab.example.test/${input.project}` },
        object_attributes: {
          id: 7001,
          note: input.comment,
          noteable_type: input.onPullRequest ? "MergeRequest" : "Issue",
        },
        ...(input.onPullRequest ? { merge_request: subject } : { issue: subject }),
      },
    };
  }
  const issue = {
    number: input.number,
    title: input.title,
    body: input.description ?? "",
    // GitHub: present only on pull requests; Gitea: null on issues.
    ...(input.onPullRequest ? { pull_request: { merged: false } } : kind === "gitea" ? { pull_request: null } : {}),
  };
  const payload = {
    action: "created",
    issue,
    comment: { id: 9001, body: input.comment, user: { login: input.author.login, id: input.author.id } },
    repository: { full_name: input.project, name, owner: { login: owner } },
    sender: { login: input.author.login, id: input.author.id },
    ...(kind === "gitea" ? { is_pull: input.onPullRequest } : {}),
  };
  const event = kind === "gitea" && input.onPullRequest ? "pull_request_comment" : "issue_comment";
  return { event, payload };
}

/** The headers a forge signs a delivery with; `secret` undefined leaves the signature out. */
export function webhookHeaders(
  kind: ForgeKindName,
  body: string,
  options: { event: string; secret?: string; deliveryId?: string },
): Record<string, string> {
  const id = options.deliveryId ?? randomUUID();
  const hmac = options.secret ? createHmac("sha256", options.secret).update(body).digest("hex") : undefined;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (kind === "github") {
    headers["x-github-event"] = options.event;
    headers["x-github-delivery"] = id;
    if (hmac) headers["x-hub-signature-256"] = `sha256=${hmac}`;
  } else if (kind === "gitlab") {
    headers["x-gitlab-event"] = options.event;
    headers["x-gitlab-event-uuid"] = id;
    if (options.secret) headers["x-gitlab-token"] = options.secret;
  } else {
    headers["x-gitea-event"] = options.event;
    headers["x-gitea-delivery"] = id;
    if (hmac) headers["x-gitea-signature"] = hmac;
  }
  return headers;
}

export async function sendWebhook(
  serverUrl: string,
  kind: ForgeKindName,
  delivery: { event: string; payload: unknown; secret?: string; deliveryId?: string; rawBody?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = delivery.rawBody ?? JSON.stringify(delivery.payload);
  const response = await fetch(`${serverUrl}/api/forges/${kind}/webhook`, {
    method: "POST",
    headers: webhookHeaders(kind, body, delivery),
    body,
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

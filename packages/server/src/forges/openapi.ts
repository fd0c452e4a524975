/** The forge webhook routes' part of the OpenAPI document (docs/forges.md). */
import { error, ok, type JsonObject } from "../http/openapi-parts.js";

const FORGES = {
  github: "GitHub (X-Hub-Signature-256: HMAC-SHA256 of the body; X-GitHub-Delivery; X-GitHub-Event)",
  gitlab: "GitLab (X-Gitlab-Token: the secret; X-Gitlab-Event-UUID; X-Gitlab-Event)",
  gitea: "Gitea/Forgejo (X-Gitea-Signature: HMAC-SHA256 of the body; X-Gitea-Delivery; X-Gitea-Event)",
} as const;

export function forgePaths(): JsonObject {
  return Object.fromEntries(
    Object.entries(FORGES).map(([kind, how]) => [
      `/api/forges/${kind}/webhook`,
      {
        post: {
          summary: `${kind} webhook: comments mentioning Quire, and pull requests for automatic review`,
          description:
            `Signed by ${how}; no Quire credential. The signature is checked over the raw body first. ` +
            "Comment events (issue_comment / Note Hook / issue_comment and pull_request_comment) and pull request " +
            "events are acted on for linked repositories; the work runs after the answer.",
          security: [],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: {
            "202": ok('{ status: "accepted" | "ignored", reason? }: taken, or acknowledged and ignored'),
            "200": ok('{ status: "duplicate" }: a delivery id seen before; nothing was done'),
            "400": error("No delivery id, or the body is not JSON."),
            "401": error("Missing or wrong signature: nothing was created."),
            "404": error("No webhook secret is configured for this forge."),
            "413": error("Body over the request limit."),
          },
        },
      },
    ]),
  );
}

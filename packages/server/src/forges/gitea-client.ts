/** The forge client for Gitea and Forgejo, over their REST API (`/api/v1`). */
import type { ForgeTarget } from "../delivery/forges-config.js";
import { giteaRequest } from "../delivery/forge-http.js";
import type { ForgeClient, PullRequestInfo } from "./client-types.js";
import { encodePath, lineAnchor } from "./client-types.js";

const WRITE_PERMISSIONS = new Set(["owner", "admin", "write"]);

interface GiteaPull {
  number: number;
  draft?: boolean;
  title?: string;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  merge_base?: string;
}

export function giteaClient(
  target: Extract<ForgeTarget, { kind: "gitea" }>,
  token: string,
  webRoot: string,
): ForgeClient {
  const repo = `/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}`;
  const call = <T>(method: "GET" | "POST", path: string, options: { body?: unknown; accept?: string } = {}) =>
    giteaRequest<T>(target.apiUrl, token, method, path, options);
  return {
    target,
    async comment(number, _onPullRequest, body) {
      // Gitea, like GitHub, comments on a pull request through its issue.
      await call("POST", `${repo}/issues/${number}/comments`, { body: { body } });
    },
    async canWrite(user) {
      try {
        const answer = await call<{ permission: string }>(
          "GET",
          `${repo}/collaborators/${encodeURIComponent(user.login)}/permission`,
        );
        return WRITE_PERMISSIONS.has(answer.permission);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404 || status === 403) return false;
        throw error;
      }
    },
    async publicEmail(user) {
      const found = await call<{ email?: string }>("GET", `/users/${encodeURIComponent(user.login)}`);
      return found.email || null;
    },
    async pullRequest(number): Promise<PullRequestInfo> {
      const pull = await call<GiteaPull>("GET", `${repo}/pulls/${number}`);
      return {
        number,
        headBranch: pull.head.ref,
        headSha: pull.head.sha,
        baseBranch: pull.base.ref,
        baseSha: pull.base.sha,
        startSha: pull.merge_base ?? pull.base.sha,
        draft: pull.draft === true || /^(wip|draft)\b/i.test(pull.title ?? ""),
      };
    },
    pullRequestDiff: (number) => call<string>("GET", `${repo}/pulls/${number}.diff`, { accept: "text/plain" }),
    async postReview(pullRequest, review) {
      await call("POST", `${repo}/pulls/${pullRequest.number}/reviews`, {
        body: {
          event: "COMMENT",
          body: review.body,
          commit_id: pullRequest.headSha,
          comments: review.inline.map((comment) => ({
            path: comment.path,
            body: comment.body,
            new_position: comment.endLine,
          })),
        },
      });
    },
    blobUrl(commit, path, start, end) {
      return `${webRoot}/${target.owner}/${target.repo}/src/commit/${commit}/${encodePath(path)}${lineAnchor(start, end, "github")}`;
    },
    webUrl: () => `${webRoot}/${target.owner}/${target.repo}`,
  };
}

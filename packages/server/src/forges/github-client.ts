/** The forge client for GitHub (and GitHub Enterprise Server), through Octokit. */
import { Octokit } from "@octokit/rest";
import type { ForgeTarget } from "../delivery/forges-config.js";
import type { ForgeClient, PullRequestInfo } from "./client-types.js";
import { encodePath, lineAnchor } from "./client-types.js";

const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

/** The web app's root: github.com for the public API, the instance itself for Enterprise (`…/api/v3`). */
function webRoot(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return url.origin;
}

export function githubClient(target: Extract<ForgeTarget, { kind: "github" }>, token: string): ForgeClient {
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({ auth: token, baseUrl: target.apiUrl, userAgent: "quire", log: silent });
  const repo = { owner: target.owner, repo: target.repo };
  const root = webRoot(target.apiUrl);
  return {
    target,
    async comment(number, _onPullRequest, body) {
      // A pull request is an issue on GitHub: its conversation takes issue comments.
      await octokit.issues.createComment({ ...repo, issue_number: number, body });
    },
    async canWrite(user) {
      try {
        const { data } = await octokit.repos.getCollaboratorPermissionLevel({ ...repo, username: user.login });
        return WRITE_PERMISSIONS.has(data.role_name ?? "") || WRITE_PERMISSIONS.has(data.permission);
      } catch (error) {
        // 404: not a collaborator (or no such user).
        if ((error as { status?: number }).status === 404) return false;
        throw error;
      }
    },
    async publicEmail(user) {
      const { data } = await octokit.users.getByUsername({ username: user.login });
      return data.email ?? null;
    },
    async pullRequest(number): Promise<PullRequestInfo> {
      const { data } = await octokit.pulls.get({ ...repo, pull_number: number });
      return {
        number,
        headBranch: data.head.ref,
        headSha: data.head.sha,
        baseBranch: data.base.ref,
        baseSha: data.base.sha,
        startSha: data.base.sha,
        draft: data.draft === true,
      };
    },
    async pullRequestDiff(number) {
      const { data } = await octokit.pulls.get({ ...repo, pull_number: number, mediaType: { format: "diff" } });
      return data as unknown as string;
    },
    async postReview(pullRequest, review) {
      await octokit.pulls.createReview({
        ...repo,
        pull_number: pullRequest.number,
        commit_id: pullRequest.headSha,
        event: "COMMENT",
        body: review.body,
        comments: review.inline.map((comment) => ({
          path: comment.path,
          line: comment.endLine,
          side: "RIGHT" as const,
          ...(comment.startLine < comment.endLine
            ? { start_line: comment.startLine, start_side: "RIGHT" as const }
            : {}),
          body: comment.body,
        })),
      });
    },
    blobUrl(commit, path, start, end) {
      return `${root}/${target.owner}/${target.repo}/blob/${commit}/${encodePath(path)}${lineAnchor(start, end, "github")}`;
    },
    webUrl: () => `${root}/${target.owner}/${target.repo}`,
  };
}

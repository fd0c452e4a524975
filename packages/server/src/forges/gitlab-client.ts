/**
 * The forge client for GitLab (gitlab.com or self-hosted), over its REST API v4. Inline review
 * comments are discussions with a text position (base, start and head commits, new path and line).
 */
import type { ForgeTarget } from "../delivery/forges-config.js";
import { gitlabRequest } from "../delivery/forge-http.js";
import type { ForgeClient, PullRequestInfo } from "./client-types.js";
import { encodePath, lineAnchor } from "./client-types.js";

/** GitLab's Developer role: may push branches. */
const DEVELOPER_ACCESS = 30;

interface MergeRequest {
  iid: number;
  source_branch: string;
  target_branch: string;
  sha: string;
  draft?: boolean;
  work_in_progress?: boolean;
  diff_refs: { base_sha: string; head_sha: string; start_sha: string } | null;
}

export function gitlabClient(target: Extract<ForgeTarget, { kind: "gitlab" }>, token: string): ForgeClient {
  const project = `/projects/${encodeURIComponent(target.projectPath)}`;
  const call = <T>(method: "GET" | "POST", path: string, body?: unknown) =>
    gitlabRequest<T>(target.apiHost, token, method, `${project}${path}`, { body });
  return {
    target,
    async comment(number, onPullRequest, body) {
      await call("POST", `/${onPullRequest ? "merge_requests" : "issues"}/${number}/notes`, { body });
    },
    async canWrite(user) {
      if (user.id === undefined) return false;
      try {
        const member = await call<{ access_level: number }>("GET", `/members/all/${user.id}`);
        return member.access_level >= DEVELOPER_ACCESS;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return false;
        throw error;
      }
    },
    async publicEmail(user) {
      if (user.id === undefined) return null;
      const found = await gitlabRequest<{ public_email?: string | null }>(
        target.apiHost,
        token,
        "GET",
        `/users/${user.id}`,
      );
      return found.public_email || null;
    },
    async pullRequest(number): Promise<PullRequestInfo> {
      const request = await call<MergeRequest>("GET", `/merge_requests/${number}`);
      const refs = request.diff_refs;
      return {
        number,
        headBranch: request.source_branch,
        headSha: refs?.head_sha ?? request.sha,
        baseBranch: request.target_branch,
        baseSha: refs?.base_sha ?? "",
        startSha: refs?.start_sha ?? refs?.base_sha ?? "",
        draft: request.draft === true || request.work_in_progress === true,
      };
    },
    async pullRequestDiff(number) {
      const files = await call<
        { old_path: string; new_path: string; diff: string; new_file?: boolean; deleted_file?: boolean }[]
      >("GET", `/merge_requests/${number}/diffs?per_page=100`);
      // GitLab gives each file's hunks without the headers: put them back into one unified diff.
      return files
        .map((file) => {
          const from = file.new_file ? "/dev/null" : `a/${file.old_path}`;
          const to = file.deleted_file ? "/dev/null" : `b/${file.new_path}`;
          return `diff --git a/${file.old_path} b/${file.new_path}\n--- ${from}\n+++ ${to}\n${file.diff}`;
        })
        .join("\n");
    },
    async postReview(pullRequest, review) {
      for (const comment of review.inline) {
        await call("POST", `/merge_requests/${pullRequest.number}/discussions`, {
          body: comment.body,
          position: {
            position_type: "text",
            base_sha: pullRequest.baseSha,
            start_sha: pullRequest.startSha,
            head_sha: pullRequest.headSha,
            old_path: comment.path,
            new_path: comment.path,
            new_line: comment.endLine,
          },
        });
      }
      await call("POST", `/merge_requests/${pullRequest.number}/notes`, { body: review.body });
    },
    blobUrl(commit, path, start, end) {
      return `${target.apiHost}/${target.projectPath}/-/blob/${commit}/${encodePath(path)}${lineAnchor(start, end, "gitlab")}`;
    },
    webUrl: () => `${target.apiHost}/${target.projectPath}`,
  };
}

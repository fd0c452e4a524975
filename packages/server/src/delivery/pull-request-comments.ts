/**
 * Commenting on the pull request (GitHub: an issue comment, Octokit) or merge request (GitLab: a
 * note, gitbeaker) Quire opened before, when a delivery updates its branch. Failures become
 * ForgeError with what the forge answered, as when opening one.
 */
import { Gitlab } from "@gitbeaker/rest";
import { Octokit } from "@octokit/rest";
import type { ForgeTarget } from "./forges-config.js";
import { giteaRequest } from "./forge-http.js";
import { abortable, forgeFailure, type PullRequest } from "./pull-requests.js";

export interface CommentInput {
  pullRequest: PullRequest;
  body: string;
  /** For the error: what was pushed, and where (display form). */
  branch: string;
  commit: string;
  remote: string;
  signal?: AbortSignal;
  redact: (text: string) => string;
}

async function commentOnGitHub(target: Extract<ForgeTarget, { kind: "github" }>, token: string, input: CommentInput) {
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({ auth: token, baseUrl: target.apiUrl, userAgent: "quire", log: silent });
  await octokit.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: input.pullRequest.number,
    body: input.body,
    request: { signal: input.signal },
  });
}

async function commentOnGitLab(target: Extract<ForgeTarget, { kind: "gitlab" }>, token: string, input: CommentInput) {
  const gitlab = new Gitlab({ host: target.apiHost, token, queryTimeout: 60_000 });
  await abortable(
    gitlab.MergeRequestNotes.create(target.projectPath, input.pullRequest.number, input.body),
    input.signal,
  );
}

async function commentOnGitea(target: Extract<ForgeTarget, { kind: "gitea" }>, token: string, input: CommentInput) {
  const repo = `/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}`;
  await giteaRequest(target.apiUrl, token, "POST", `${repo}/issues/${input.pullRequest.number}/comments`, {
    body: { body: input.body },
    signal: input.signal,
  });
}

/** Adds `input.body` as a comment on the request; throws ForgeError when the forge refuses. */
export async function commentOnPullRequest(target: ForgeTarget, token: string, input: CommentInput): Promise<void> {
  try {
    if (target.kind === "github") await commentOnGitHub(target, token, input);
    else if (target.kind === "gitea") await commentOnGitea(target, token, input);
    else await commentOnGitLab(target, token, input);
  } catch (error) {
    const request = target.kind === "gitlab" ? "merge request !" : "pull request #";
    throw forgeFailure(target, error, input, `commenting on ${request}${input.pullRequest.number}`);
  }
}

/**
 * The webhook events Quire acts on, read from each forge's payload into one shape: a new comment
 * on an issue or pull request, and a pull request opened or updated. Anything else is null
 * (acknowledged and ignored). Payloads are checked with zod: only the fields used are required.
 */
import { z } from "zod";
import type { ForgeKindName } from "../delivery/forges-config.js";
import type { ForgeUser } from "./client.js";

export interface CommentEvent {
  type: "comment";
  forge: ForgeKindName;
  /** The project: owner/name (GitLab: its full path). */
  repo: string;
  number: number;
  onPullRequest: boolean;
  title: string;
  description: string;
  comment: string;
  author: ForgeUser;
}

export interface PullRequestEvent {
  type: "pull_request";
  forge: ForgeKindName;
  repo: string;
  number: number;
  /** New, or new commits pushed to it. */
  action: "opened" | "updated";
  draft: boolean;
  headBranch: string;
  author: ForgeUser;
}

export type ForgeEvent = CommentEvent | PullRequestEvent;

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? "");
const login = z.object({ login: z.string().min(1) });

const githubComment = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int().positive(),
    title: text,
    body: text,
    pull_request: z.unknown().optional(),
  }),
  comment: z.object({ body: text, user: login }),
  repository: z.object({ full_name: z.string().min(3) }),
});

const githubPull = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({ draft: z.boolean().optional(), head: z.object({ ref: z.string() }) }),
  repository: z.object({ full_name: z.string().min(3) }),
  sender: login,
});

const gitlabUser = z.object({ id: z.number().int(), username: z.string().min(1) });

const gitlabNote = z.object({
  object_kind: z.literal("note"),
  user: gitlabUser,
  project: z.object({ path_with_namespace: z.string().min(3) }),
  object_attributes: z.object({ note: text, noteable_type: z.string() }),
  issue: z.object({ iid: z.number().int().positive(), title: text, description: text }).optional(),
  merge_request: z.object({ iid: z.number().int().positive(), title: text, description: text }).optional(),
});

const gitlabMergeRequest = z.object({
  object_kind: z.literal("merge_request"),
  user: gitlabUser,
  project: z.object({ path_with_namespace: z.string().min(3) }),
  object_attributes: z.object({
    iid: z.number().int().positive(),
    action: z.string().optional(),
    source_branch: z.string(),
    draft: z.boolean().optional(),
    work_in_progress: z.boolean().optional(),
    oldrev: z.string().optional(),
  }),
});

const giteaComment = githubComment.extend({
  issue: githubComment.shape.issue.extend({ pull_request: z.unknown().nullish() }),
  is_pull: z.boolean().optional(),
});

const giteaPull = githubPull.extend({
  pull_request: z.object({ draft: z.boolean().optional(), title: text, head: z.object({ ref: z.string() }) }),
});

function fromGitHub(event: string, payload: unknown): ForgeEvent | null {
  if (event === "issue_comment") {
    const parsed = githubComment.safeParse(payload);
    if (!parsed.success || parsed.data.action !== "created") return null;
    const { issue, comment, repository } = parsed.data;
    return {
      type: "comment",
      forge: "github",
      repo: repository.full_name,
      number: issue.number,
      onPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
      title: issue.title,
      description: issue.body,
      comment: comment.body,
      author: { login: comment.user.login },
    };
  }
  if (event === "pull_request") {
    const parsed = githubPull.safeParse(payload);
    if (!parsed.success) return null;
    const action = pullAction(parsed.data.action);
    if (!action) return null;
    return {
      type: "pull_request",
      forge: "github",
      repo: parsed.data.repository.full_name,
      number: parsed.data.number,
      action,
      draft: parsed.data.pull_request.draft === true,
      headBranch: parsed.data.pull_request.head.ref,
      author: { login: parsed.data.sender.login },
    };
  }
  return null;
}

/** GitHub's and Gitea's actions: opened/reopened/ready are new to review; synchronize(d) is new commits. */
function pullAction(action: string): PullRequestEvent["action"] | null {
  if (action === "opened" || action === "reopened" || action === "ready_for_review") return "opened";
  if (action === "synchronize" || action === "synchronized") return "updated";
  return null;
}

function fromGitLab(event: string, payload: unknown): ForgeEvent | null {
  if (event === "Note Hook") {
    const parsed = gitlabNote.safeParse(payload);
    if (!parsed.success) return null;
    const { object_attributes: note, user, project } = parsed.data;
    const onPullRequest = note.noteable_type === "MergeRequest";
    const subject = onPullRequest
      ? parsed.data.merge_request
      : note.noteable_type === "Issue"
        ? parsed.data.issue
        : undefined;
    if (!subject) return null;
    return {
      type: "comment",
      forge: "gitlab",
      repo: project.path_with_namespace,
      number: subject.iid,
      onPullRequest,
      title: subject.title,
      description: subject.description,
      comment: note.note,
      author: { login: user.username, id: user.id },
    };
  }
  if (event === "Merge Request Hook") {
    const parsed = gitlabMergeRequest.safeParse(payload);
    if (!parsed.success) return null;
    const attributes = parsed.data.object_attributes;
    const action =
      attributes.action === "open" || attributes.action === "reopen"
        ? "opened"
        : attributes.action === "update" && attributes.oldrev
          ? "updated"
          : null;
    if (!action) return null;
    return {
      type: "pull_request",
      forge: "gitlab",
      repo: parsed.data.project.path_with_namespace,
      number: attributes.iid,
      action,
      draft: attributes.draft === true || attributes.work_in_progress === true,
      headBranch: attributes.source_branch,
      author: { login: parsed.data.user.username, id: parsed.data.user.id },
    };
  }
  return null;
}

function fromGitea(event: string, payload: unknown): ForgeEvent | null {
  if (event === "issue_comment" || event === "pull_request_comment") {
    const parsed = giteaComment.safeParse(payload);
    if (!parsed.success || parsed.data.action !== "created") return null;
    const { issue, comment, repository } = parsed.data;
    return {
      type: "comment",
      forge: "gitea",
      repo: repository.full_name,
      number: issue.number,
      onPullRequest: parsed.data.is_pull === true || (issue.pull_request !== undefined && issue.pull_request !== null),
      title: issue.title,
      description: issue.body,
      comment: comment.body,
      author: { login: comment.user.login },
    };
  }
  if (event === "pull_request") {
    const parsed = giteaPull.safeParse(payload);
    if (!parsed.success) return null;
    const action = pullAction(parsed.data.action);
    if (!action) return null;
    const pull = parsed.data.pull_request;
    return {
      type: "pull_request",
      forge: "gitea",
      repo: parsed.data.repository.full_name,
      number: parsed.data.number,
      action,
      draft: pull.draft === true || /^(wip|draft)\b/i.test(pull.title),
      headBranch: pull.head.ref,
      author: { login: parsed.data.sender.login },
    };
  }
  return null;
}

export function readForgeEvent(kind: ForgeKindName, event: string, payload: unknown): ForgeEvent | null {
  if (kind === "github") return fromGitHub(event, payload);
  if (kind === "gitlab") return fromGitLab(event, payload);
  return fromGitea(event, payload);
}

/** The forge client's shape, shared by the client of each forge (client.ts picks one). */
import type { ForgeTarget } from "../delivery/forges-config.js";
import type { PreparedReview } from "./review-comments.js";

export interface ForgeUser {
  login: string;
  /** GitLab's numeric user id (its member API takes ids); absent elsewhere. */
  id?: number;
}

export interface PullRequestInfo {
  number: number;
  headBranch: string;
  headSha: string;
  baseBranch: string;
  baseSha: string;
  /** GitLab's position needs the merge base too. */
  startSha: string;
  draft: boolean;
}

export interface ForgeClient {
  readonly target: ForgeTarget;
  /** Adds a comment to an issue or a pull request. */
  comment(number: number, onPullRequest: boolean, body: string): Promise<void>;
  /** Whether the user may push to the project (write, maintain or admin; GitLab: Developer or above). */
  canWrite(user: ForgeUser): Promise<boolean>;
  /** The user's public email, which each forge only lets its users set to an address they verified. */
  publicEmail(user: ForgeUser): Promise<string | null>;
  pullRequest(number: number): Promise<PullRequestInfo>;
  /** The pull request's change as a unified diff. */
  pullRequestDiff(number: number): Promise<string>;
  /** Posts one review: inline comments at their lines, and the body. */
  postReview(pullRequest: PullRequestInfo, review: PreparedReview): Promise<void>;
  /** A link to lines of a file at a commit, in the forge's web app. */
  blobUrl(commit: string, path: string, start: number, end?: number): string;
  /** The project's page in the forge's web app. */
  webUrl(): string;
}

/** `#L10-L12` style anchors (GitHub, Gitea); GitLab writes `#L10-12`. */
export function lineAnchor(start: number, end: number | undefined, style: "github" | "gitlab"): string {
  if (end === undefined || end === start) return `#L${start}`;
  return style === "gitlab" ? `#L${start}-${end}` : `#L${start}-L${end}`;
}

/** A path for a URL: each segment encoded, the slashes kept. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * Delivering a task's diff: commit it on its base commit, push it as a new branch, and open a
 * pull (merge) request when the remote is on a configured forge with a token; otherwise say
 * where the branch is. Every message and error that leaves here has the tokens redacted.
 */
import { mkdir } from "node:fs/promises";
import { createRedactor } from "@quire/core";
import { commitInScratch, type Author } from "./commit-diff.js";
import { DeliveryError, forgeNames } from "./errors.js";
import {
  FORGE_ENV,
  forgeFor,
  forgeTargetOf,
  type ForgeLink,
  type ForgesConfig,
  type ForgeTarget,
} from "./forges-config.js";
import { git, prepareGitHome, type GitContext } from "./git-runner.js";
import { commentOnPullRequest } from "./pull-request-comments.js";
import { openPullRequest, type PullRequest } from "./pull-requests.js";
import { checkBranchName, pushAuthorization, pushBranch } from "./push.js";
import { updateDeliveredBranch } from "./update-branch.js";
import { displayRemoteUrl, parseRemoteUrl, urlCredentials } from "./remote-url.js";
import type { UrlCredentials } from "../storage/index.js";
import { basicAuthorization, credentialSecrets } from "../sources/url-credentials.js";

export interface DeliverOptions {
  /** The repository the task ran against (a path on this machine); only read. */
  sourceRepo: string;
  /** Where to push (URL or path); default: the push URL of the source repository's `origin`. */
  remoteUrl?: string;
  /**
   * The repository's URL on its forge, when the push URL does not name it: a mirror, an ssh host
   * alias, a local remote in tests. Default: the push URL. It only names the project for the
   * forge's API; whether a token goes along with the push is decided by the push URL alone.
   */
  forgeRepo?: string;
  /** The repository's link to its forge project (registered with it): names the project, over `forgeRepo`. */
  forge?: ForgeLink | null;
  /**
   * Credentials the repository was registered with (taken out of its URL): sent as the push's
   * Authorization header over http(s), in git's environment, in preference to a forge token.
   */
  remoteCredentials?: UrlCredentials | null;
  baseCommit: string;
  diff: string;
  /**
   * The branch to push. A new branch must not exist on the remote, unless it is already at this
   * very commit; the branch of `previous` is updated with a new commit on top of its head.
   */
  branch: string;
  /** The task's last delivery, when it had one: delivering to its branch again updates it. */
  previous?: PreviousDelivery;
  /** What changed since the previous delivery (the follow-ups), for the pull request's comment. */
  changes?: string;
  /** The caller comments on the updated pull request itself (a forge reply that says more). */
  noUpdateComment?: boolean;
  /** The pull request's title, and the commit's subject. */
  title: string;
  /** The pull request's description, and the commit's body. */
  body: string;
  author: Author;
  /** The branch the pull request asks to merge into. */
  baseBranch: string;
  forges: ForgesConfig;
  /** A directory Quire owns for this delivery (scratch repository, empty HOME for git). */
  workDir: string;
  /** Author and committer date (default: now); with the same date a retry makes the same commit. */
  date?: Date;
  signal?: AbortSignal;
  /**
   * git options that send the push (and what it reads of the remote) through the destination
   * rule: for a registered URL, which reaches only public hosts unless the operator allows more.
   */
  network?: GitContext["network"];
}

export interface PreviousDelivery {
  branch: string;
  /** Every commit Quire pushed to that branch, oldest first. */
  commits: readonly string[];
  pullRequest?: PullRequest;
}

export interface DeliverResult {
  branch: string;
  commit: string;
  /** Every commit Quire pushed to this branch, oldest first (this one last). */
  commits: string[];
  /** This delivery added a commit to (or found no change for) the branch delivered before. */
  updated: boolean;
  /** The remote pushed to, without credentials. */
  remote: string;
  pullRequest?: PullRequest;
  /** One sentence for the user: what was pushed where, and what was or was not opened. */
  message: string;
}

function redactorFor(options: DeliverOptions, remoteUrl: string): (text: string) => string {
  const secrets: Record<string, string> = {
    ...urlCredentials(remoteUrl),
    ...urlCredentials(options.forgeRepo ?? ""),
    ...credentialSecrets(options.remoteCredentials ?? null),
  };
  const tokens = [
    { name: "GITHUB_TOKEN", token: options.forges.github.token, user: "x-access-token" },
    { name: "GITLAB_TOKEN", token: options.forges.gitlab.token, user: "oauth2" },
    { name: "GITEA_TOKEN", token: options.forges.gitea.token, user: "oauth2" },
  ];
  for (const { name, token, user } of tokens) {
    if (!token) continue;
    secrets[name] = token;
    // As it appears inside the push's Basic authorization header (see push.ts), should anything echo it.
    secrets[`${name}_BASIC_AUTH`] = Buffer.from(`${user}:${token}`).toString("base64");
  }
  return createRedactor(secrets);
}

/** The push URL of the source repository's `origin` (after its insteadOf rules). */
async function originUrl(sourceRepo: string, context: GitContext): Promise<string> {
  try {
    return (await git(["remote", "get-url", "--push", "origin"], { cwd: sourceRepo }, context)).trim();
  } catch {
    throw new DeliveryError(`${sourceRepo} has no "origin" remote to push to; give a remote URL`);
  }
}

/** The header for the repository's own credentials, for an http(s) remote only. */
function registeredAuthorization(
  remoteUrl: string,
  credentials: UrlCredentials | null | undefined,
): string | undefined {
  if (!credentials || !/^https?:\/\//i.test(remoteUrl)) return undefined;
  return basicAuthorization(credentials);
}

function pullRequestWord(kind: ForgeTarget["kind"]): string {
  return kind === "gitlab" ? "merge request" : "pull request";
}

/** `#7` on GitHub and Gitea, `!7` on GitLab. */
export function requestReference(kind: ForgeTarget["kind"], number: number): string {
  return `${kind === "gitlab" ? "!" : "#"}${number}`;
}

interface Pushed {
  commit: string;
  commits: string[];
  updated: boolean;
  /** Nothing was pushed: the branch already held this change. */
  alreadyThere: boolean;
  /** For an update: the head it was pushed on, and `git diff --stat` from there. */
  previousHead?: string;
  stat?: string;
}

/** Pushes the commit: on top of the previous delivery's head when its branch is still there, else as a new branch. */
async function push(
  options: DeliverOptions,
  remoteUrl: string,
  remote: string,
  authorization: string | undefined,
  context: GitContext,
): Promise<Pushed> {
  const { branch, previous } = options;
  const message = [options.title.trim(), options.body.trim()].filter(Boolean).join("\n\n");
  if (previous && previous.branch === branch) {
    const update = await updateDeliveredBranch(
      { ...options, message, remoteUrl, remoteDisplay: remote, authorization, pushed: previous.commits },
      context,
    );
    if (update.kind !== "gone") {
      const commits = [...previous.commits];
      if (!commits.includes(update.commit)) commits.push(update.commit);
      return {
        commit: update.commit,
        commits,
        updated: true,
        alreadyThere: update.kind === "unchanged",
        previousHead: update.previousHead,
        stat: update.stat,
      };
    }
  }
  const made = await commitInScratch({ ...options, message }, context.redact);
  options.signal?.throwIfAborted();
  const pushed = await pushBranch(
    { scratch: made.scratch, remoteUrl, remoteDisplay: remote, commit: made.commit, branch, authorization },
    context,
  );
  return { commit: made.commit, commits: [made.commit], updated: false, alreadyThere: pushed.alreadyThere };
}

function pushedSentence(branch: string, remote: string, pushed: Pushed): string {
  const short = pushed.commit.slice(0, 12);
  if (pushed.updated && pushed.alreadyThere) {
    return `The branch "${branch}" on ${remote} already holds this change (${short}); nothing was pushed`;
  }
  if (pushed.updated) {
    return `Pushed ${short} on top of ${pushed.previousHead?.slice(0, 12)} to the branch "${branch}" on ${remote}`;
  }
  return pushed.alreadyThere
    ? `The branch "${branch}" was already at ${short} on ${remote}`
    : `Pushed the branch "${branch}" (${short}) to ${remote}`;
}

/** The comment an update adds to its pull request: what the new round asked for, and what it changed. */
function updateComment(options: DeliverOptions, pushed: Pushed): string {
  const lines = [`Quire pushed ${pushed.commit.slice(0, 12)} on top of ${pushed.previousHead?.slice(0, 12)}.`];
  const asked = options.changes?.trim();
  if (asked) lines.push("", asked);
  if (pushed.stat) lines.push("", "```", pushed.stat, "```");
  return lines.join("\n");
}

export async function deliver(options: DeliverOptions): Promise<DeliverResult> {
  const { branch, signal } = options;
  if (!options.title.trim()) throw new DeliveryError("a delivery needs a title (the commit subject)");
  await mkdir(options.workDir, { recursive: true });
  const home = await prepareGitHome(options.workDir);
  const bare: GitContext = { home, signal };
  await checkBranchName(branch, options.workDir, bare);

  const remoteUrl = options.remoteUrl ?? (await originUrl(options.sourceRepo, bare));
  const redact = redactorFor(options, remoteUrl);
  const context: GitContext = { home, signal, redact, ...(options.network ? { network: options.network } : {}) };
  const remote = displayRemoteUrl(remoteUrl);

  const pushLocation = parseRemoteUrl(remoteUrl);
  const pushTarget = pushLocation ? forgeFor(pushLocation, options.forges) : null;
  const authorization =
    registeredAuthorization(remoteUrl, options.remoteCredentials) ?? pushAuthorization(pushTarget, pushLocation);
  const pushed = await push(options, remoteUrl, remote, authorization, context);
  signal?.throwIfAborted();

  const where = pushedSentence(branch, remote, pushed);
  const result = { branch, commit: pushed.commit, commits: pushed.commits, updated: pushed.updated, remote };

  const forgeLocation = parseRemoteUrl(options.forgeRepo ?? remoteUrl);
  const target = options.forge
    ? forgeTargetOf(options.forge, options.forges)
    : forgeLocation
      ? forgeFor(forgeLocation, options.forges)
      : null;
  if (!target) {
    return {
      ...result,
      message: `${where}. It is not on a GitHub, GitLab or Gitea host Quire is configured for: open a pull request there by hand.`,
    };
  }
  const word = pullRequestWord(target.kind);
  if (!target.token) {
    const variable = FORGE_ENV[target.kind].token;
    return {
      ...result,
      message: `${where}. No ${forgeNames[target.kind]} token is configured (${variable}), so no ${word} was opened.`,
    };
  }
  const previousRequest = pushed.updated ? options.previous?.pullRequest : undefined;
  if (previousRequest) {
    const reference = requestReference(target.kind, previousRequest.number);
    if (pushed.alreadyThere || options.noUpdateComment) {
      return { ...result, pullRequest: previousRequest, message: `${where}.` };
    }
    await commentOnPullRequest(target, target.token, {
      pullRequest: previousRequest,
      body: updateComment(options, pushed),
      branch,
      commit: pushed.commit,
      remote,
      signal,
      redact,
    });
    return {
      ...result,
      pullRequest: previousRequest,
      message: `${where}; ${word} ${reference} now shows it, with a comment on what changed: ${previousRequest.url}`,
    };
  }
  const pullRequest = await openPullRequest(target, target.token, {
    branch,
    baseBranch: options.baseBranch,
    title: options.title,
    body: options.body,
    commit: pushed.commit,
    remote,
    signal,
    redact,
  });
  const reference = requestReference(target.kind, pullRequest.number);
  return {
    ...result,
    pullRequest,
    message: `${where} and opened ${word} ${reference}: ${pullRequest.url}`,
  };
}

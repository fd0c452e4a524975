/**
 * The ways a delivery fails, as types the HTTP layer can map to statuses and the UI can explain.
 * Every message here is already redacted: callers may log or show it as it is.
 */

export type ForgeKind = "github" | "gitlab" | "gitea";

export const forgeNames: Record<ForgeKind, string> = { github: "GitHub", gitlab: "GitLab", gitea: "Gitea" };

export class DeliveryError extends Error {
  override name = "DeliveryError";
}

/** A git command failed for a reason that is not one of the cases below (its stderr is in the message). */
export class GitError extends DeliveryError {
  override name = "GitError";
}

/** The diff does not apply on the base commit; `gitMessage` is what `git apply` said. */
export class DiffDoesNotApplyError extends DeliveryError {
  override name = "DiffDoesNotApplyError";
  constructor(readonly gitMessage: string) {
    super(`the diff does not apply on the base commit: ${gitMessage}`);
  }
}

/** The remote already has the branch at another commit; Quire never overwrites a branch. */
export class BranchExistsError extends DeliveryError {
  override name = "BranchExistsError";
  constructor(
    readonly branch: string,
    readonly remote: string,
    readonly existingCommit: string,
    readonly commit: string,
  ) {
    super(
      `the branch "${branch}" already exists on ${remote} at ${existingCommit.slice(0, 12)}, ` +
        `not at this delivery's commit ${commit.slice(0, 12)}; refusing to overwrite it ` +
        `(choose another branch name, or delete that branch first)`,
    );
  }
}

/**
 * Updating a branch Quire delivered before, whose head is a commit Quire did not push: someone
 * else moved it. Nothing is pushed; delivering to a new branch (`branch` in the request) still works.
 */
export class BranchMovedError extends DeliveryError {
  override name = "BranchMovedError";
  constructor(
    readonly branch: string,
    readonly remote: string,
    readonly headCommit: string,
  ) {
    super(
      `the branch "${branch}" on ${remote} is at ${headCommit}, a commit Quire did not push ` +
        `(someone else moved it); nothing was pushed. To deliver to a new branch instead, ` +
        `give its name ("branch" in the request)`,
    );
  }
}

/** The push itself failed (network, authentication, a hook or protection rule on the remote). */
export class PushError extends DeliveryError {
  override name = "PushError";
  constructor(
    readonly branch: string,
    readonly remote: string,
    gitMessage: string,
  ) {
    super(`pushing the branch "${branch}" to ${remote} failed: ${gitMessage}`);
  }
}

/**
 * The branch was pushed, but the forge did not open the pull (merge) request. The branch stays:
 * the user can open the request by hand, or retry (a retry with the same commit skips the push).
 */
export class ForgeError extends DeliveryError {
  override name = "ForgeError";
  constructor(
    readonly forge: ForgeKind,
    /** The HTTP status the forge answered with; undefined when it could not be reached at all. */
    readonly status: number | undefined,
    /** What the forge said (or the network error), redacted. */
    readonly forgeMessage: string,
    readonly branch: string,
    readonly commit: string,
    readonly remote: string,
    /** What Quire asked the forge to do; default: open the request. */
    action?: string,
  ) {
    const kind = forge === "gitlab" ? "merge request" : "pull request";
    const answer =
      status === undefined
        ? `${forgeNames[forge]} could not be reached: ${forgeMessage}`
        : `${forgeNames[forge]} answered ${status}: ${forgeMessage}`;
    super(
      `the branch "${branch}" (${commit.slice(0, 12)}) was pushed to ${remote}, but ${action ?? `opening the ${kind}`} failed: ${answer}`,
    );
  }
}

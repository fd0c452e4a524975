/** Delivery of a task's diff: a commit, a `git format-patch` text, a pushed branch and a pull (merge) request. */
export { commitDiff, formatPatch, type Author, type CommitDiffOptions, type CommitDiffResult } from "./commit-diff.js";
export { deliveryBranchName } from "./branch-name.js";
export { deliver, type DeliverOptions, type DeliverResult, type PreviousDelivery } from "./deliver.js";
export {
  BranchExistsError,
  BranchMovedError,
  DeliveryError,
  DiffDoesNotApplyError,
  ForgeError,
  GitError,
  PushError,
  type ForgeKind,
} from "./errors.js";
export {
  FORGE_ENV,
  forgeFor,
  forgeLinkFor,
  forgeTargetOf,
  forgesConfig,
  forgesFromConfig,
  forgesFromEnv,
  type ForgeKindName,
  type ForgeLink,
  type ForgesConfig,
  type ForgesConfigInput,
  type ForgeTarget,
} from "./forges-config.js";
export type { PullRequest } from "./pull-requests.js";
export { displayRemoteUrl, parseRemoteUrl, type RemoteLocation } from "./remote-url.js";

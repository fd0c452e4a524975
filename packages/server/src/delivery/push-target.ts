/**
 * Where a task's delivery pushes, from the repository as it was registered: never from what the
 * source checkout's own `.git/config` says, unless the server's single user owns that checkout.
 *
 * - a git URL: that URL (not the `origin` of Quire's clone of it);
 * - a local path on a multi-user server: the registered path itself (a new branch there). Its
 *   `origin` is whatever the repository's owner configured, maybe another tenant's remote, and a
 *   member who registered the path (under the operator's roots) does not control it;
 * - a local path on a single-user server: its `origin`, as `quire apply` users expect.
 */
import { isGitUrl } from "../sources/sources.js";
import type { LocalSourcePolicy } from "../sources/local-source-policy.js";

export function pushTargetOf(
  repository: { source: string },
  sourceDir: string,
  policy: LocalSourcePolicy,
): { remoteUrl?: string } {
  if (isGitUrl(repository.source)) return { remoteUrl: repository.source };
  if (policy.restricted) return { remoteUrl: sourceDir };
  return {};
}

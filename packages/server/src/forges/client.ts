/**
 * What Quire asks of a forge once a webhook reached it: comment, check a commenter's access, read a
 * pull request and its diff, post a review. One interface, one implementation per forge
 * (GitHub: Octokit; GitLab and Gitea: their REST APIs over fetch), all bound to one project.
 */
import type { ForgesConfig } from "../delivery/forges-config.js";
import { forgeTargetOf, type ForgeLink } from "../delivery/forges-config.js";
import type { ForgeClient } from "./client-types.js";
import { githubClient } from "./github-client.js";
import { gitlabClient } from "./gitlab-client.js";
import { giteaClient } from "./gitea-client.js";

export type { ForgeClient, ForgeUser, PullRequestInfo } from "./client-types.js";

export class ForgeNotConfiguredError extends Error {
  override name = "ForgeNotConfiguredError";
}

/** The client for a linked repository's project; throws when the forge has no URL or no token. */
export function forgeClient(link: ForgeLink, forges: ForgesConfig): ForgeClient {
  const target = forgeTargetOf(link, forges);
  if (!target) throw new ForgeNotConfiguredError(`${link.kind} is not configured (no URL for it)`);
  if (!target.token) throw new ForgeNotConfiguredError(`no ${link.kind} token is configured`);
  if (target.kind === "github") return githubClient(target, target.token);
  if (target.kind === "gitlab") return gitlabClient(target, target.token);
  return giteaClient(target, target.token, forges.gitea.url ?? "");
}

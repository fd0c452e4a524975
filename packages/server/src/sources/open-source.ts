/**
 * A registered repository's git data on this machine, as routes and workers need it: the local
 * path (checked against the local-source policy) or the clone of the URL, cloned and fetched with
 * the credentials the URL was registered with (in git's environment only).
 */
import { createRedactor } from "@quire/core";
import type { Repos, Repository } from "../storage/index.js";
import type { LocalSourcePolicy } from "./local-source-policy.js";
import { isGitUrl, localSource } from "./sources.js";
import { credentialSecrets, gitCredentialEnv } from "./url-credentials.js";

/** What opening a source needs; an ApiContext is one. */
export interface SourceAccess {
  home: string;
  repos: Repos;
  localSources: LocalSourcePolicy;
}

export async function openSource(
  access: SourceAccess,
  repository: Pick<Repository, "id" | "source">,
  needs?: { commit: string },
): Promise<string> {
  const credentials = isGitUrl(repository.source) ? await access.repos.repositories.credentials(repository.id) : null;
  const gitEnv = gitCredentialEnv(repository.source, credentials);
  try {
    return await localSource(access.home, repository, access.localSources, needs, gitEnv);
  } catch (error) {
    // Git names the URL it was given (without credentials), but a server may echo more.
    if (credentials && error instanceof Error)
      error.message = createRedactor(credentialSecrets(credentials))(error.message);
    throw error;
  }
}

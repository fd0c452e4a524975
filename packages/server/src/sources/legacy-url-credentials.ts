/**
 * Repositories registered before URL credentials were split off still hold them in their URL (and
 * their clone's `origin`). At start each process moves them into the encrypted column and cleans
 * the clone's config; a URL already clean is left alone, so processes starting together agree.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { git } from "@quire/core";
import type { Repos } from "../storage/index.js";
import { isGitUrl, mirrorDir } from "./sources.js";
import { splitUrlCredentials, UrlCredentialsError } from "./url-credentials.js";

/** Returns how many repositories had credentials moved out of their URL. */
export async function moveUrlCredentials(repos: Repos, home: string): Promise<number> {
  let moved = 0;
  for (const repository of await repos.repositories.list()) {
    if (!isGitUrl(repository.source)) continue;
    let split: ReturnType<typeof splitUrlCredentials>;
    try {
      split = splitUrlCredentials(repository.source);
    } catch (error) {
      if (error instanceof UrlCredentialsError) continue; // an ssh password: git could never use it anyway
      throw error;
    }
    if (!split.credentials) continue;
    await repos.repositories.setSource(repository.id, split.url, split.credentials);
    const clone = mirrorDir(home, repository.id);
    if (existsSync(path.join(clone, ".git"))) {
      await git(["remote", "set-url", "origin", split.url], { cwd: clone });
    }
    moved++;
  }
  return moved;
}

/** Repositories: a local path or a git URL, registered once, with their branches. */
import { realpath } from "node:fs/promises";
import { git } from "@quire/core";
import type { Hono } from "hono";
import { checkLocalSource, LocalSourceRefusedError, type LocalSourcePolicy } from "../../worker/local-source-policy.js";
import { openSource } from "../../worker/repository-source.js";
import { isGitUrl, listBranches } from "../../worker/sources.js";
import { splitUrlCredentials, UrlCredentialsError } from "../../worker/url-credentials.js";
import type { ApiContext } from "../api-context.js";
import { HttpError, jsonBody, parseOr400 } from "../errors.js";
import { createRepositoryBody } from "../schemas.js";
import { repositoryFor } from "../scoping.js";
import { audit, requireScope } from "../../accounts/index.js";

export function repositoryRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  app.post("/api/repositories", async (c) => {
    const principal = requireScope(c, "repositories:write");
    const body = parseOr400(createRepositoryBody, await jsonBody(c), "repository");
    // Credentials in a URL become the repository's secret: the URL is stored and shown without them.
    const { url: source, credentials } = isGitUrl(body.source)
      ? splitCredentialsOr400(body.source)
      : { url: await checkLocalRepository(body.source, ctx.localSources), credentials: null };
    const repository = await repos.repositories.create({
      ...body,
      source,
      credentials,
      workspaceId: principal.workspaceId,
    });
    try {
      // A URL is cloned now: a wrong one is reported here, not by the first task.
      const dir = await openSource(ctx, repository);
      if (body.defaultBranch === undefined) {
        const detected = await defaultBranchOf(dir, isGitUrl(source));
        if (detected && detected !== repository.defaultBranch) {
          await repos.repositories.setDefaultBranch(repository.id, detected);
          repository.defaultBranch = detected;
        }
      }
    } catch (error) {
      await repos.repositories.delete(repository.id);
      throw new HttpError(400, `invalid repository: source: ${(error as Error).message}`, [
        { path: "source", message: (error as Error).message },
      ]);
    }
    await audit(c, "repository.created", repository.id, { name: repository.name, source: repository.source });
    return c.json({ repository }, 201);
  });

  app.get("/api/repositories", async (c) => {
    const principal = requireScope(c, "repositories:read");
    return c.json({ repositories: await repos.repositories.list(principal.workspaceId) });
  });

  app.get("/api/repositories/:id", async (c) => {
    const repository = await repositoryFor(c, repos, c.req.param("id"), "repositories:read");
    if (!repository) throw new HttpError(404, `no repository ${c.req.param("id")}`);
    return c.json({ repository });
  });

  app.get("/api/repositories/:id/branches", async (c) => {
    const repository = await repositoryFor(c, repos, c.req.param("id"), "repositories:read");
    if (!repository) throw new HttpError(404, `no repository ${c.req.param("id")}`);
    const dir = await openSource(ctx, repository).catch((error: Error) => {
      if (error instanceof LocalSourceRefusedError) throw error;
      throw new HttpError(502, error.message);
    });
    return c.json({ branches: await listBranches(dir, isGitUrl(repository.source)) });
  });
}

function splitCredentialsOr400(source: string): ReturnType<typeof splitUrlCredentials> {
  try {
    return splitUrlCredentials(source);
  } catch (error) {
    if (!(error instanceof UrlCredentialsError)) throw error;
    throw new HttpError(400, `invalid repository: source: ${error.message}`, [
      { path: "source", message: error.message },
    ]);
  }
}

async function checkLocalRepository(source: string, policy: LocalSourcePolicy): Promise<string> {
  const fail = (message: string): never => {
    throw new HttpError(400, `invalid repository: source: ${message}`, [{ path: "source", message }]);
  };
  if (!source.startsWith("/")) fail("a local path must be absolute (or give a git URL)");
  // First, so that a refused path says nothing of what exists on the host.
  await checkLocalSource(source, policy).catch((error: Error) => fail(error.message));
  const resolved = await realpath(source).catch(() => fail(`${source} does not exist`));
  const top = await git(["rev-parse", "--show-toplevel"], { cwd: resolved }).catch(() =>
    fail(`${source} is not a git repository`),
  );
  return top.trim();
}

async function defaultBranchOf(dir: string, fromUrl: boolean): Promise<string | undefined> {
  const ref = fromUrl ? "refs/remotes/origin/HEAD" : "HEAD";
  const name = await git(["symbolic-ref", "--quiet", "--short", ref], { cwd: dir }).catch(() => "");
  const branch = name.trim().replace(/^origin\//, "");
  return branch === "" ? undefined : branch;
}

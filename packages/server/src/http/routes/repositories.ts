/**
 * Repositories: a local path or a git URL, registered once per workspace, with their branches;
 * renamed, and removed once none of their tasks is active (docs/server.md).
 */
import { realpath, rm } from "node:fs/promises";
import { git } from "@quire/core";
import type { Hono } from "hono";
import {
  checkLocalSource,
  LocalSourceRefusedError,
  type LocalSourcePolicy,
} from "../../sources/local-source-policy.js";
import { openSource } from "../../sources/open-source.js";
import { isGitUrl, listBranches, mirrorDir } from "../../sources/sources.js";
import { splitUrlCredentials, UrlCredentialsError } from "../../sources/url-credentials.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";
import { SourceSpellingError, sourceIdentity, withoutFileScheme } from "../../sources/source-spelling.js";
import {
  branchesResponse,
  createRepositoryBody,
  duplicateRepositoryBody,
  removedRepositoryResponse,
  renameRepositoryBody,
  repositoriesResponse,
  repositoryResponse,
} from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, ok } from "../responses.js";
import { repositoryFor } from "../scoping.js";
import { audit, requireScope } from "../../accounts/index.js";
import { forgeLinkFor, parseRemoteUrl } from "../../delivery/index.js";

export function repositoryRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  const register = {
    method: "post",
    path: "/api/repositories",
    summary: "Register a repository",
    body: createRepositoryBody,
    responses: {
      201: ok("{ repository }", repositoryResponse),
      400: error("Invalid body, or the source is not a git repository or URL."),
      409: {
        description: "The workspace already has this repository: the body holds it as { error, repository }.",
        schema: duplicateRepositoryBody,
      },
      ...denied,
    },
  } as const;
  declareRoute(app, register, async (c) => {
    const principal = requireScope(c, "repositories:write");
    const body = parseOr400(createRepositoryBody, await jsonBody(c), "repository");
    const requested = sourceOr400(body.source);
    // Credentials in a URL become the repository's secret: the URL is stored and shown without them.
    const { url: source, credentials } = isGitUrl(requested)
      ? splitCredentialsOr400(requested)
      : { url: await checkLocalRepository(requested, ctx.localSources), credentials: null };
    const identity = sourceIdentity(source);
    const existing = (await repos.repositories.list(principal.workspaceId)).find(
      (candidate) => sourceIdentity(candidate.source) === identity,
    );
    if (existing) {
      const message = `repository already registered as "${existing.name}" (${existing.id})`;
      return c.json({ error: { message, issues: [{ path: "source", message }] }, repository: existing }, 409);
    }
    const location = isGitUrl(source) ? parseRemoteUrl(source) : null;
    const forge = body.forge ?? (location ? forgeLinkFor(location, ctx.delivery.forges) : null);
    const repository = await repos.repositories.create({
      ...body,
      source,
      credentials,
      forge,
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
    await audit(c, "repository.created", repository.id, {
      name: repository.name,
      source: repository.source,
      ...(repository.forge ? { forge: repository.forge } : {}),
    });
    return c.json({ repository }, 201);
  });

  const list = {
    method: "get",
    path: "/api/repositories",
    summary: "List repositories",
    responses: { 200: ok("{ repositories }", repositoriesResponse), ...denied },
  } as const;
  declareRoute(app, list, async (c) => {
    const principal = requireScope(c, "repositories:read");
    return c.json({ repositories: await repos.repositories.list(principal.workspaceId) });
  });

  const one = {
    method: "get",
    path: "/api/repositories/{id}",
    summary: "One repository",
    responses: { 200: ok("{ repository }", repositoryResponse), 404: error("No such repository."), ...denied },
  } as const;
  declareRoute(app, one, async (c) => {
    const repository = await repositoryFor(c, repos, c.req.param("id"), "repositories:read");
    if (!repository) throw new HttpError(404, `no repository ${c.req.param("id")}`);
    return c.json({ repository });
  });

  const rename = {
    method: "patch",
    path: "/api/repositories/{id}",
    summary: "Rename a repository",
    body: renameRepositoryBody,
    responses: {
      200: ok("{ repository }", repositoryResponse),
      400: error("Invalid name."),
      404: error("No such repository."),
      ...denied,
    },
  } as const;
  declareRoute(app, rename, async (c) => {
    const id = c.req.param("id");
    const repository = await repositoryFor(c, repos, id, "repositories:write");
    if (!repository) throw new HttpError(404, `no repository ${id}`);
    const { name, autoReview } = parseOr400(renameRepositoryBody, await jsonBody(c), "repository");
    if (name !== undefined) {
      if (!(await repos.repositories.rename(id, name))) throw new HttpError(404, `no repository ${id}`);
      await audit(c, "repository.renamed", id, { from: repository.name, to: name });
    }
    if (autoReview !== undefined) {
      await repos.repositories.setAutoReview(id, autoReview);
      await audit(c, "repository.auto_review", id, { autoReview });
    }
    return c.json({
      repository: { ...repository, name: name ?? repository.name, autoReview: autoReview ?? repository.autoReview },
    });
  });

  const remove = {
    method: "delete",
    path: "/api/repositories/{id}",
    summary:
      "Remove a repository: its environments and Quire's clone go, its tasks stay readable but cannot be continued",
    responses: {
      200: ok("{ repository } as it was, with removed: true", removedRepositoryResponse),
      404: error("No such repository."),
      409: error("A task of the repository is queued or running."),
      ...denied,
    },
  } as const;
  declareRoute(app, remove, async (c) => {
    const id = c.req.param("id");
    const repository = await repositoryFor(c, repos, id, "repositories:write");
    if (!repository) throw new HttpError(404, `no repository ${id}`);
    if (!(await repos.repositories.remove(id))) {
      const active = await repos.repositories.countActiveTasks(id);
      if (active === 0) throw new HttpError(404, `no repository ${id}`);
      throw new HttpError(
        409,
        `repository ${repository.name} has ${active} active task${active === 1 ? "" : "s"}: cancel or wait for ${active === 1 ? "it" : "them"}, then remove it`,
      );
    }
    // A URL's clone is Quire's own copy; a local path is the user's and is never touched.
    if (isGitUrl(repository.source)) await rm(mirrorDir(ctx.home, id), { recursive: true, force: true });
    await audit(c, "repository.removed", id, { name: repository.name, source: repository.source });
    return c.json({ repository: { ...repository, removed: true } });
  });

  const branches = {
    method: "get",
    path: "/api/repositories/{id}/branches",
    summary: "The repository's branches (a URL's are fetched first)",
    responses: {
      200: ok("{ branches: [{ name, commit }] }", branchesResponse),
      404: error("No such repository."),
      409: error("The local path is no longer allowed as a source."),
      502: error("The remote could not be fetched."),
      ...denied,
    },
  } as const;
  declareRoute(app, branches, async (c) => {
    const repository = await repositoryFor(c, repos, c.req.param("id"), "repositories:read");
    if (!repository) throw new HttpError(404, `no repository ${c.req.param("id")}`);
    const dir = await openSource(ctx, repository).catch((error: Error) => {
      if (error instanceof LocalSourceRefusedError) throw error;
      throw new HttpError(502, error.message);
    });
    return c.json({ branches: await listBranches(dir, isGitUrl(repository.source)) });
  });
}

function sourceOr400(source: string): string {
  try {
    return withoutFileScheme(source);
  } catch (error) {
    if (!(error instanceof SourceSpellingError)) throw error;
    throw new HttpError(400, `invalid repository: source: ${error.message}`, [
      { path: "source", message: error.message },
    ]);
  }
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

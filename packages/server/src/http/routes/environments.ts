/** Environments of a repository: created, read, updated, deleted; secrets can be written, never read. */
import { repositoryEnvironmentSchema } from "@quire/core";
import type { Context, Hono } from "hono";
import { audit, requireScope, type Scope } from "../../accounts/index.js";
import { environmentFor, repositoryFor } from "../scoping.js";
import type { Environment } from "../../storage/index.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";
import {
  createEnvironmentBody,
  environmentResponse,
  environmentsQuery,
  environmentsResponse,
  secretBody,
  secretResponse,
  updateEnvironmentBody,
} from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, empty, error, ok } from "../responses.js";

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function environmentRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  const environmentOr404 = (c: Context, scope: Scope): Promise<Environment> =>
    environmentFor(c, repos, c.req.param("id") ?? "", scope);
  const withSecrets = async (environment: Environment) => ({
    ...environment,
    secrets: await repos.environments.listSecrets(environment.id),
  });

  const create = {
    method: "post",
    path: "/api/environments",
    summary: "Create an environment (the keys of .quire/environment.toml)",
    body: createEnvironmentBody,
    responses: {
      201: ok("{ environment }", environmentResponse),
      400: error("Invalid body or definition."),
      409: error("The name is taken."),
      ...denied,
    },
  } as const;
  declareRoute(app, create, async (c) => {
    const principal = requireScope(c, "environments:write");
    const body = parseOr400(createEnvironmentBody, await jsonBody(c), "environment");
    if (!(await repositoryFor(c, repos, body.repo, "environments:write"))) {
      throw new HttpError(400, `invalid environment: repo: no repository ${body.repo}`, [
        { path: "repo", message: `no repository ${body.repo}` },
      ]);
    }
    // The same rules as .quire/environment.toml: secret names only, known keys, valid limits.
    const definition = parseOr400(repositoryEnvironmentSchema, body.definition, "environment definition");
    const taken = (await repos.environments.listForRepository(body.repo)).some((e) => e.name === body.name);
    if (taken) throw new HttpError(409, `the repository already has an environment named ${body.name}`);
    const environment = await repos.environments.create({
      repositoryId: body.repo,
      name: body.name,
      definition,
      workspaceId: principal.workspaceId,
    });
    await audit(c, "environment.created", environment.id, { name: environment.name, repositoryId: body.repo });
    return c.json({ environment: await withSecrets(environment) }, 201);
  });

  const list = {
    method: "get",
    path: "/api/environments",
    summary: "The environments of a repository",
    query: environmentsQuery,
    responses: {
      200: ok("{ environments } (secrets by name and version only)", environmentsResponse),
      400: error("No repo given."),
      404: error("`repo` names no repository of the workspace."),
      ...denied,
    },
  } as const;
  declareRoute(app, list, async (c) => {
    const repo = c.req.query("repo");
    if (!repo) throw new HttpError(400, "invalid query: repo: required (the repository's id)");
    if (!(await repositoryFor(c, repos, repo, "environments:read"))) throw new HttpError(404, `no repository ${repo}`);
    const environments = await repos.environments.listForRepository(repo);
    return c.json({ environments: await Promise.all(environments.map(withSecrets)) });
  });

  const one = {
    method: "get",
    path: "/api/environments/{id}",
    summary: "One environment",
    responses: { 200: ok("{ environment }", environmentResponse), 404: error("No such environment."), ...denied },
  } as const;
  declareRoute(app, one, async (c) =>
    c.json({ environment: await withSecrets(await environmentOr404(c, "environments:read")) }),
  );

  const update = {
    method: "put",
    path: "/api/environments/{id}",
    summary: "Replace the environment's definition",
    body: updateEnvironmentBody,
    responses: {
      200: ok("{ environment }", environmentResponse),
      400: error("Invalid definition."),
      404: error("No such environment."),
      ...denied,
    },
  } as const;
  declareRoute(app, update, async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    const body = parseOr400(updateEnvironmentBody, await jsonBody(c), "environment");
    const definition = parseOr400(repositoryEnvironmentSchema, body.definition, "environment definition");
    await repos.environments.updateDefinition(environment.id, definition);
    await audit(c, "environment.updated", environment.id, { name: environment.name });
    return c.json({ environment: await withSecrets(await environmentOr404(c, "environments:read")) });
  });

  const remove = {
    method: "delete",
    path: "/api/environments/{id}",
    summary: "Delete the environment and its secrets",
    responses: { 204: empty("Deleted."), 404: error("No such environment."), ...denied },
  } as const;
  declareRoute(app, remove, async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    await repos.environments.delete(environment.id);
    await audit(c, "environment.deleted", environment.id, { name: environment.name });
    return c.body(null, 204);
  });

  // Write-only: the response names the secret and its version, never the value.
  const setSecret = {
    method: "put",
    path: "/api/environments/{id}/secrets/{name}",
    summary: "Set a secret (write-only: its value is never returned)",
    body: secretBody,
    responses: {
      200: ok("{ secret: { name, version, updatedAt } }", secretResponse),
      400: error("Invalid name or value."),
      404: error("No such environment."),
      ...denied,
    },
  } as const;
  declareRoute(app, setSecret, async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    const name = c.req.param("name");
    if (!SECRET_NAME.test(name)) throw new HttpError(400, `invalid secret name ${name}: letters, digits and _ only`);
    const body = parseOr400(secretBody, await jsonBody(c), "secret");
    const secret = await repos.environments.setSecret(environment.id, name, body.value);
    // The name and version only: never the value.
    await audit(c, "secret.set", environment.id, { name, version: secret.version });
    return c.json({ secret });
  });

  const removeSecret = {
    method: "delete",
    path: "/api/environments/{id}/secrets/{name}",
    summary: "Remove a secret",
    responses: { 204: empty("Removed."), 404: error("No such environment or secret."), ...denied },
  } as const;
  declareRoute(app, removeSecret, async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    const removed = await repos.environments.deleteSecret(environment.id, c.req.param("name"));
    if (!removed) throw new HttpError(404, `environment ${environment.name} has no secret ${c.req.param("name")}`);
    await audit(c, "secret.removed", environment.id, { name: c.req.param("name") });
    return c.body(null, 204);
  });
}

/** Environments of a repository: created, read, updated, deleted; secrets can be written, never read. */
import { repositoryEnvironmentSchema } from "@quire/core";
import type { Context, Hono } from "hono";
import { audit, requireScope, type Scope } from "../../accounts/index.js";
import { environmentFor, repositoryFor } from "../scoping.js";
import type { Environment } from "../../storage/index.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";
import { createEnvironmentBody, secretBody, updateEnvironmentBody } from "../schemas.js";

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function environmentRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  const environmentOr404 = (c: Context, scope: Scope): Promise<Environment> =>
    environmentFor(c, repos, c.req.param("id") ?? "", scope);
  const withSecrets = async (environment: Environment) => ({
    ...environment,
    secrets: await repos.environments.listSecrets(environment.id),
  });

  app.post("/api/environments", async (c) => {
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

  app.get("/api/environments", async (c) => {
    const repo = c.req.query("repo");
    if (!repo) throw new HttpError(400, "invalid query: repo: required (the repository's id)");
    if (!(await repositoryFor(c, repos, repo, "environments:read"))) throw new HttpError(404, `no repository ${repo}`);
    const environments = await repos.environments.listForRepository(repo);
    return c.json({ environments: await Promise.all(environments.map(withSecrets)) });
  });

  app.get("/api/environments/:id", async (c) =>
    c.json({ environment: await withSecrets(await environmentOr404(c, "environments:read")) }),
  );

  app.put("/api/environments/:id", async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    const body = parseOr400(updateEnvironmentBody, await jsonBody(c), "environment");
    const definition = parseOr400(repositoryEnvironmentSchema, body.definition, "environment definition");
    await repos.environments.updateDefinition(environment.id, definition);
    await audit(c, "environment.updated", environment.id, { name: environment.name });
    return c.json({ environment: await withSecrets(await environmentOr404(c, "environments:read")) });
  });

  app.delete("/api/environments/:id", async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    await repos.environments.delete(environment.id);
    await audit(c, "environment.deleted", environment.id, { name: environment.name });
    return c.body(null, 204);
  });

  // Write-only: the response names the secret and its version, never the value.
  app.put("/api/environments/:id/secrets/:name", async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    const name = c.req.param("name");
    if (!SECRET_NAME.test(name)) throw new HttpError(400, `invalid secret name ${name}: letters, digits and _ only`);
    const body = parseOr400(secretBody, await jsonBody(c), "secret");
    const secret = await repos.environments.setSecret(environment.id, name, body.value);
    // The name and version only: never the value.
    await audit(c, "secret.set", environment.id, { name, version: secret.version });
    return c.json({ secret });
  });

  app.delete("/api/environments/:id/secrets/:name", async (c) => {
    const environment = await environmentOr404(c, "environments:write");
    const removed = await repos.environments.deleteSecret(environment.id, c.req.param("name"));
    if (!removed) throw new HttpError(404, `environment ${environment.name} has no secret ${c.req.param("name")}`);
    await audit(c, "secret.removed", environment.id, { name: c.req.param("name") });
    return c.body(null, 204);
  });
}

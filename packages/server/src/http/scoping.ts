/**
 * Every read and write of a task, repository or environment is checked against the caller's
 * workspace and scopes. Another workspace's records answer 404, exactly like missing ones, so ids
 * cannot be probed across tenants.
 */
import type { Context } from "hono";
import { requireScope, type Scope } from "../accounts/index.js";
import type { Environment, Repos, Repository, Task } from "../storage/index.js";
import { HttpError } from "../errors.js";

export async function taskFor(c: Context, repos: Repos, scope: Scope): Promise<Task> {
  const principal = requireScope(c, scope);
  const id = c.req.param("id") ?? "";
  const task = await repos.tasks.get(id);
  if (!task || task.workspaceId !== principal.workspaceId) throw new HttpError(404, `no task ${id}`);
  return task;
}

/** A task named in a request's body (not its path): undefined when missing or another workspace's. */
export async function namedTaskFor(c: Context, repos: Repos, id: string, scope: Scope): Promise<Task | undefined> {
  const principal = requireScope(c, scope);
  const task = await repos.tasks.get(id);
  return task?.workspaceId === principal.workspaceId ? task : undefined;
}

export async function repositoryFor(
  c: Context,
  repos: Repos,
  id: string,
  scope: Scope,
): Promise<Repository | undefined> {
  const principal = requireScope(c, scope);
  const repository = await repos.repositories.get(id);
  return repository?.workspaceId === principal.workspaceId ? repository : undefined;
}

export async function environmentFor(c: Context, repos: Repos, id: string, scope: Scope): Promise<Environment> {
  const principal = requireScope(c, scope);
  const environment = await repos.environments.get(id);
  if (!environment || environment.workspaceId !== principal.workspaceId)
    throw new HttpError(404, `no environment ${id}`);
  return environment;
}

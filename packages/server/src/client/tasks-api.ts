/**
 * The task operations a remote client needs, over the API (docs/server.md): find a repository,
 * create a task, follow up, wait, deliver. Shared by the remote `quire` commands and the MCP tools.
 */
import type { createTaskBody, ReviewResult } from "@quire/protocol";
import type { z } from "zod";
import { ApiError, type QuireApiClient } from "./api-client.js";

export type RemoteTaskMode = "code" | "ask" | "review";

export interface RemoteRepository {
  id: string;
  name: string;
  source: string;
  defaultBranch: string;
}

export interface RemoteTask {
  id: string;
  repositoryId: string;
  ref: string;
  mode: string;
  prompt: string;
  status: string;
  attemptsRequested: number;
  finalMessage: string | null;
  reason: string | null;
  lastEventSeq: number;
  delivery: Record<string, unknown> | null;
  createdAt: string;
  bestAttemptId: string | null;
  verification: string | null;
  /** Review mode: the findings and verdict, once the review has ended. */
  review?: ReviewResult | null;
  diffStats: { files: number; insertions: number; deletions: number } | null;
}

export interface Delivery {
  branch: string;
  commit: string;
  remote?: string;
  pullRequest?: { url?: string; number?: number } | null;
  message?: string;
}

export const ACTIVE_TASK_STATUSES: readonly string[] = ["queued", "preparing", "running"];

export function isActive(status: string): boolean {
  return ACTIVE_TASK_STATUSES.includes(status);
}

const id = (value: string): string => encodeURIComponent(value);

export async function listRepositories(client: QuireApiClient): Promise<RemoteRepository[]> {
  return (await client.json<{ repositories: RemoteRepository[] }>("GET", "/api/repositories")).repositories;
}

/** A repository by its id, or by its name when exactly one has it. */
export async function findRepository(client: QuireApiClient, idOrName: string): Promise<RemoteRepository> {
  const repositories = await listRepositories(client);
  const byId = repositories.find((repository) => repository.id === idOrName);
  if (byId) return byId;
  const named = repositories.filter((repository) => repository.name === idOrName);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new ApiError(
      400,
      `several repositories are named ${idOrName}: give one of their ids (${named.map((r) => r.id).join(", ")})`,
    );
  }
  throw new ApiError(404, `no repository ${idOrName} on ${client.server}`);
}

export async function getTask(client: QuireApiClient, taskId: string): Promise<RemoteTask> {
  return (await client.json<{ task: RemoteTask }>("GET", `/api/tasks/${id(taskId)}`)).task;
}

export async function listTasks(
  client: QuireApiClient,
  query: { status?: string; repo?: string; limit?: number } = {},
): Promise<RemoteTask[]> {
  const params = new URLSearchParams();
  if (query.status) params.set("status", query.status);
  if (query.repo) params.set("repo", query.repo);
  params.set("limit", String(query.limit ?? 100));
  return (await client.json<{ tasks: RemoteTask[] }>("GET", `/api/tasks?${params}`)).tasks;
}

/** An environment id from its id or its name among the repository's environments. */
export async function findEnvironment(client: QuireApiClient, repoId: string, idOrName: string): Promise<string> {
  const { environments } = await client.json<{ environments: { id: string; name: string }[] }>(
    "GET",
    `/api/environments?repo=${id(repoId)}`,
  );
  const found = environments.find((env) => env.id === idOrName) ?? environments.find((env) => env.name === idOrName);
  if (!found) throw new ApiError(404, `no environment ${idOrName} for repository ${repoId}`);
  return found.id;
}

export async function createTask(
  client: QuireApiClient,
  /** The API's own body (code and ask need `ref` and `prompt`; a review `base` and `ref`, or `reviewOf`). */
  body: z.input<typeof createTaskBody>,
): Promise<RemoteTask> {
  return (await client.json<{ task: RemoteTask }>("POST", "/api/tasks", body)).task;
}

/** Sends a follow-up; returns the seq the task's events were at before it, to stream the new round from. */
export async function sendFollowUp(
  client: QuireApiClient,
  taskId: string,
  text: string,
  images: readonly { data: string }[] = [],
): Promise<number> {
  const before = await getTask(client, taskId);
  const withImages = images.length > 0 ? { images: images.map((image) => ({ data: image.data })) } : {};
  await client.json("POST", `/api/tasks/${id(taskId)}/messages`, { text, ...withImages });
  return before.lastEventSeq;
}

export async function deliverTask(
  client: QuireApiClient,
  taskId: string,
  body: { branch?: string } = {},
): Promise<Delivery> {
  return (await client.json<{ delivery: Delivery }>("POST", `/api/tasks/${id(taskId)}/deliver`, body)).delivery;
}

/**
 * Polls the task until it is no longer queued, preparing or running, or until `timeoutMs`;
 * resolves to the task as it was last read.
 */
export async function waitForTask(
  client: QuireApiClient,
  taskId: string,
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<RemoteTask> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let interval = options.intervalMs ?? 500;
  for (;;) {
    const task = await getTask(client, taskId);
    if (!isActive(task.status) || Date.now() >= deadline || options.signal?.aborted) return task;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))));
    interval = Math.min(interval * 1.5, 2_000);
  }
}

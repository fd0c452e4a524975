/**
 * Thin fetch wrappers over the server's JSON API; errors become ApiError with the server's
 * message. Requests carry the CSRF token and the chosen workspace (credentials.ts); a 401 tells
 * the app to show sign-in.
 */
import type { Refusal } from "../api/refusal";
import { announceUnauthenticated, credentialHeaders } from "./credentials";
import type {
  Attempt,
  Branch,
  Delivery,
  Environment,
  EnvironmentDefinition,
  NewTask,
  Repository,
  SecretInfo,
  Task,
  TaskListQuery,
  TaskPage,
  ImageUploads,
  Issue,
} from "@quire/protocol";

/** One problem the server found in a request: the field's path ("limits.memory_mb") and what is wrong. */
export type ApiIssue = Issue;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: readonly ApiIssue[] = [],
    /** Set when the workspace's plan refused the request (429, or 403 with a limit). */
    readonly refusal: Refusal | null = null,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  /** A 401 here means something else than "signed out" (sign-in: a wrong password). */
  expect401?: boolean;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {
      ...credentialHeaders(method),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    if (response.status === 401 && !options.expect401) announceUnauthenticated();
    const parsed = parseError(text, response);
    throw new ApiError(
      response.status,
      parsed?.message ?? `${method} ${path}: ${response.status}`,
      parsed?.issues,
      parsed?.refusal,
    );
  }
  // 204 No Content (a delete) has no body.
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

interface ErrorBody {
  error?: { message?: unknown; issues?: unknown; limit?: unknown; used?: unknown; max?: unknown; resetAt?: unknown };
}

/**
 * The server answers errors as {error:{message, issues?:[{path, message}]}}, and a plan's
 * refusal as {error:{message, limit, used, max, resetAt}}; anything else (a proxy's page) is
 * shown as its status.
 */
function parseError(
  text: string,
  response: Response,
): { message: string; issues: ApiIssue[]; refusal: Refusal | null } | undefined {
  try {
    const parsed = JSON.parse(text) as ErrorBody;
    const error = parsed.error;
    if (typeof error?.message !== "string") return undefined;
    const issues = Array.isArray(error.issues)
      ? error.issues.filter(
          (issue): issue is ApiIssue =>
            typeof (issue as ApiIssue).path === "string" && typeof (issue as ApiIssue).message === "string",
        )
      : [];
    const refusal: Refusal | null =
      typeof error.limit === "string" && (response.status === 429 || response.status === 403)
        ? {
            message: error.message,
            limit: error.limit,
            used: typeof error.used === "number" ? error.used : null,
            max: typeof error.max === "number" ? error.max : null,
            resetAt: typeof error.resetAt === "string" ? error.resetAt : null,
            retryAfterSeconds: retryAfter(response),
          }
        : null;
    return { message: error.message, issues, refusal };
  } catch {
    return undefined;
  }
}

/** `Retry-After` in seconds (the server sends seconds; an HTTP date is read too). */
function retryAfter(response: Response): number | null {
  const value = response.headers.get("retry-after");
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}

export const api = {
  repositories: async () => (await request<{ repositories: Repository[] }>("GET", "/api/repositories")).repositories,
  addRepository: async (name: string, source: string) =>
    (await request<{ repository: Repository }>("POST", "/api/repositories", { name, source })).repository,
  renameRepository: async (id: string, name: string) =>
    (await request<{ repository: Repository }>("PATCH", `/api/repositories/${encodeURIComponent(id)}`, { name }))
      .repository,
  removeRepository: async (id: string) => {
    await request("DELETE", `/api/repositories/${encodeURIComponent(id)}`);
  },
  branches: async (repositoryId: string) =>
    (await request<{ branches: Branch[] }>("GET", `/api/repositories/${encodeURIComponent(repositoryId)}/branches`))
      .branches,
  environments: async (repositoryId: string) =>
    (
      await request<{ environments: Environment[] }>(
        "GET",
        `/api/environments?repo=${encodeURIComponent(repositoryId)}`,
      )
    ).environments,
  environment: async (id: string) =>
    (await request<{ environment: Environment }>("GET", environmentPath(id))).environment,
  createEnvironment: async (repo: string, name: string, definition: EnvironmentDefinition) =>
    announce(
      (await request<{ environment: Environment }>("POST", "/api/environments", { repo, name, definition }))
        .environment,
    ),
  updateEnvironment: async (id: string, definition: EnvironmentDefinition) =>
    (await request<{ environment: Environment }>("PUT", environmentPath(id), { definition })).environment,
  deleteEnvironment: async (id: string) => announce(await request<void>("DELETE", environmentPath(id))),
  /** Write-only: the answer names the secret and its version, never the value. */
  setSecret: async (id: string, name: string, value: string) =>
    (await request<{ secret: SecretInfo }>("PUT", secretPath(id, name), { value })).secret,
  deleteSecret: async (id: string, name: string) => request<void>("DELETE", secretPath(id, name)),

  tasks: async (filter: TaskListQuery) => (await api.taskPage(filter)).tasks,
  taskPage: async (filter: TaskListQuery) => {
    const query = new URLSearchParams();
    if (filter.status) query.set("status", filter.status.join(","));
    if (filter.repo) query.set("repo", filter.repo);
    if (filter.mode) query.set("mode", filter.mode);
    if (filter.q) query.set("q", filter.q);
    if (filter.delivered !== undefined) query.set("delivered", String(filter.delivered));
    if (filter.archived !== undefined) query.set("archived", String(filter.archived));
    if (filter.limit !== undefined) query.set("limit", String(filter.limit));
    if (filter.before) query.set("before", filter.before);
    return request<TaskPage>("GET", `/api/tasks?${query.toString()}`);
  },
  task: async (id: string) => (await request<{ task: Task }>("GET", taskPath(id))).task,
  attempts: async (id: string) => (await request<{ attempts: Attempt[] }>("GET", `${taskPath(id)}/attempts`)).attempts,
  createTask: async (task: NewTask) => (await request<{ task: Task }>("POST", "/api/tasks", task)).task,
  cancel: async (id: string) => (await request<{ task: Task }>("POST", `${taskPath(id)}/cancel`)).task,
  archive: async (id: string) => (await request<{ task: Task }>("POST", `${taskPath(id)}/archive`)).task,
  unarchive: async (id: string) => (await request<{ task: Task }>("POST", `${taskPath(id)}/unarchive`)).task,
  followUp: async (id: string, text: string, attemptId?: string, images?: ImageUploads) =>
    request<unknown>("POST", `${taskPath(id)}/messages`, {
      text,
      ...(attemptId ? { attemptId } : {}),
      ...(images && images.length > 0 ? { images } : {}),
    }),
  /** A file of the task's repository at its base commit (for citations of unchanged files). */
  taskFile: async (id: string, path: string) =>
    request<TaskFile>("GET", `${taskPath(id)}/file?path=${encodeURIComponent(path)}`),
  deliver: async (id: string, options: { attemptId?: string; branch?: string; title?: string; body?: string } = {}) =>
    (await request<{ delivery: Delivery }>("POST", `${taskPath(id)}/deliver`, options)).delivery,
};

export interface TaskFile {
  path: string;
  commit: string;
  size: number;
  binary: boolean;
  tooLarge: boolean;
  content: string;
}

/** Fired after an environment is created or deleted, so the composer's list follows. */
export const ENVIRONMENTS_CHANGED = "quire:environments-changed";

function announce<T>(result: T): T {
  window.dispatchEvent(new Event(ENVIRONMENTS_CHANGED));
  return result;
}

function environmentPath(id: string): string {
  return `/api/environments/${encodeURIComponent(id)}`;
}

function secretPath(id: string, name: string): string {
  return `${environmentPath(id)}/secrets/${encodeURIComponent(name)}`;
}

export function taskPath(id: string): string {
  return `/api/tasks/${encodeURIComponent(id)}`;
}

/** The diff (or, with format "patch", a `git am`-able patch) of the best attempt or the one named. */
export function diffUrl(id: string, attemptId?: string, format?: "patch"): string {
  const query = new URLSearchParams();
  if (attemptId) query.set("attempt", attemptId);
  if (format) query.set("format", format);
  const search = query.toString();
  return `${taskPath(id)}/diff${search ? `?${search}` : ""}`;
}

/**
 * Opening the pull request (GitHub, Octokit; Gitea, its REST API) or merge request (GitLab, gitbeaker) for a pushed
 * branch. Failures become ForgeError saying what the forge answered; the clients' own errors are
 * not passed on (they carry the request, headers included), only their status and message.
 */
import { Gitlab } from "@gitbeaker/rest";
import { Octokit } from "@octokit/rest";
import { ForgeError, type ForgeKind } from "./errors.js";
import type { ForgeTarget } from "./forges-config.js";
import { ForgeHttpError, giteaRequest } from "./forge-http.js";

export interface PullRequest {
  url: string;
  number: number;
  kind: ForgeKind;
}

export interface PullRequestInput {
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
  /** For the error: what was pushed, and where (display form). */
  commit: string;
  remote: string;
  signal?: AbortSignal;
  redact: (text: string) => string;
}

interface Failure {
  status: number | undefined;
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** GitHub's error body: `{ message, errors: [{ message } | { resource, field, code }] }`. */
export function githubFailure(error: unknown): Failure {
  const status = isRecord(error) && typeof error.status === "number" ? error.status : undefined;
  const response = isRecord(error) && isRecord(error.response) ? error.response : undefined;
  if (!response) return { status: undefined, message: error instanceof Error ? error.message : String(error) };
  const data = response.data;
  if (!isRecord(data)) return { status, message: typeof data === "string" && data ? data : "no message" };
  const details = (Array.isArray(data.errors) ? data.errors : []).map((item: unknown) => {
    if (typeof item === "string") return item;
    if (!isRecord(item)) return JSON.stringify(item);
    if (typeof item.message === "string") return item.message;
    return [item.resource, item.field, item.code].filter((part) => typeof part === "string").join(" ");
  });
  const message = typeof data.message === "string" ? data.message : "no message";
  return { status, message: details.length > 0 ? `${message} (${details.join("; ")})` : message };
}

/** gitbeaker puts GitLab's `message`/`error` in the error's message (arrays and objects JSON-encoded). */
export function gitlabFailure(error: unknown): Failure {
  const cause = isRecord(error) && isRecord(error.cause) ? error.cause : undefined;
  const response = cause?.response;
  const status = response instanceof Response ? response.status : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  if (status === undefined) {
    const reason = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return { status, message: `${raw}${reason}` };
  }
  return { status, message: readableGitLabMessage(raw) || "no message" };
}

function readableGitLabMessage(raw: string): string {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.map(String).join("; ");
    if (isRecord(parsed)) {
      return Object.entries(parsed)
        .map(([field, value]) => `${field} ${Array.isArray(value) ? value.join(", ") : String(value)}`)
        .join("; ");
    }
  } catch {
    // Not JSON: GitLab said it in plain text.
  }
  return raw;
}

/** gitbeaker takes no AbortSignal: stop waiting when aborted (its own query timeout ends the request). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function openGitHub(target: Extract<ForgeTarget, { kind: "github" }>, token: string, input: PullRequestInput) {
  // Octokit logs failed requests to the console itself; a failure reaches the caller as ForgeError instead.
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({ auth: token, baseUrl: target.apiUrl, userAgent: "quire", log: silent });
  const { data } = await octokit.pulls.create({
    owner: target.owner,
    repo: target.repo,
    head: input.branch,
    base: input.baseBranch,
    title: input.title,
    body: input.body,
    request: { signal: input.signal },
  });
  return { kind: "github" as const, url: data.html_url, number: data.number };
}

async function openGitLab(target: Extract<ForgeTarget, { kind: "gitlab" }>, token: string, input: PullRequestInput) {
  const gitlab = new Gitlab({ host: target.apiHost, token, queryTimeout: 60_000 });
  const request = gitlab.MergeRequests.create(target.projectPath, input.branch, input.baseBranch, input.title, {
    description: input.body,
  });
  const created = await abortable(request, input.signal);
  return { kind: "gitlab" as const, url: created.web_url, number: created.iid };
}

async function openGitea(target: Extract<ForgeTarget, { kind: "gitea" }>, token: string, input: PullRequestInput) {
  const created = await giteaRequest<{ number: number; html_url: string }>(
    target.apiUrl,
    token,
    "POST",
    `/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}/pulls`,
    {
      body: { head: input.branch, base: input.baseBranch, title: input.title, body: input.body },
      signal: input.signal,
    },
  );
  return { kind: "gitea" as const, url: created.html_url, number: created.number };
}

/** Opens the request for `input.branch` against `input.baseBranch`; throws ForgeError when the forge refuses. */
export async function openPullRequest(
  target: ForgeTarget,
  token: string,
  input: PullRequestInput,
): Promise<PullRequest> {
  try {
    if (target.kind === "github") return await openGitHub(target, token, input);
    if (target.kind === "gitea") return await openGitea(target, token, input);
    return await openGitLab(target, token, input);
  } catch (error) {
    throw forgeFailure(target, error, input);
  }
}

/**
 * What a forge's refusal becomes, for opening a request and commenting on it alike: the abort's
 * reason when the caller gave up, else a ForgeError with the forge's words, redacted.
 */
export function forgeFailure(
  target: ForgeTarget,
  error: unknown,
  input: { signal?: AbortSignal; redact: (text: string) => string; branch: string; commit: string; remote: string },
  action?: string,
): unknown {
  if (input.signal?.aborted) return input.signal.reason;
  const failure =
    error instanceof ForgeHttpError
      ? { status: error.status, message: error.message }
      : target.kind === "github"
        ? githubFailure(error)
        : gitlabFailure(error);
  return new ForgeError(
    target.kind,
    failure.status,
    input.redact(failure.message),
    input.branch,
    input.commit,
    input.remote,
    action,
  );
}

/**
 * For tests: local stand-ins for GitHub's and GitLab's REST APIs (node:http on 127.0.0.1). Each
 * checks what the real one checks before creating anything (method, path, token header, required
 * fields) and answers with the real shape: 201 with html_url/number (GitHub) or web_url/iid
 * (GitLab), or the error body given. Kept free of vitest so other suites can use it.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { listenLocally } from "@quire/testing";

export interface ForgeRequest {
  method: string;
  /** The raw request target, percent-encoding kept (GitLab project paths are encoded). */
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface ForgeAnswer {
  status: number;
  body: unknown;
}

export interface FakeForge {
  /** The base URL to configure (GitHub `apiUrl`, GitLab `host`). */
  url: string;
  requests: ForgeRequest[];
  close(): Promise<void>;
}

async function startJsonServer(answer: (request: ForgeRequest) => ForgeAnswer): Promise<FakeForge> {
  const requests: ForgeRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Kept as text: the checks below then refuse it, as the real APIs would.
    }
    const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
    requests.push(request);
    const { status, body: reply } = answer(request);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(reply));
  });
  const listener = await listenLocally(server);
  return { url: listener.origin, requests, close: listener.close };
}

const field = (body: unknown, name: string): unknown =>
  typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;

const missing = (body: unknown, names: string[]) => names.filter((name) => typeof field(body, name) !== "string");

/** GitHub's `POST /repos/{owner}/{repo}/issues/{number}/comments` (a pull request is an issue there). */
function githubComment(options: { owner: string; repo: string; number?: number }, issue: number, body: unknown) {
  if (issue !== (options.number ?? 7)) return { status: 404, body: { message: "Not Found" } };
  if (missing(body, ["body"]).length > 0) return { status: 422, body: { message: "Invalid request" } };
  const id = 9000 + issue;
  const url = `https://github.example.test/${options.owner}/${options.repo}/pull/${issue}#issuecomment-${id}`;
  return { status: 201, body: { id, html_url: url, body: field(body, "body") } };
}

/**
 * GitHub's `POST /repos/{owner}/{repo}/pulls`, and comments on the pull request it opened;
 * `fail` replaces the success answer (e.g. a 422).
 */
export function startFakeGitHub(options: {
  token: string;
  owner: string;
  repo: string;
  number?: number;
  fail?: ForgeAnswer;
}): Promise<FakeForge> {
  return startJsonServer((request) => {
    const comment = new RegExp(`^/repos/${options.owner}/${options.repo}/issues/(\\d+)/comments$`).exec(request.path);
    const known = request.path === `/repos/${options.owner}/${options.repo}/pulls` || comment !== null;
    if (request.method !== "POST" || !known) return { status: 404, body: { message: "Not Found" } };
    if (request.headers.authorization !== `token ${options.token}`) {
      return { status: 401, body: { message: "Bad credentials" } };
    }
    if (comment) return githubComment(options, Number(comment[1]), request.body);
    const absent = missing(request.body, ["head", "base", "title"]);
    if (absent.length > 0) {
      return { status: 422, body: { message: "Invalid request", errors: absent.map((name) => `${name} is missing`) } };
    }
    if (options.fail) return options.fail;
    const number = options.number ?? 7;
    return {
      status: 201,
      body: {
        number,
        html_url: `https://github.example.test/${options.owner}/${options.repo}/pull/${number}`,
        state: "open",
        head: { ref: field(request.body, "head") },
        base: { ref: field(request.body, "base") },
      },
    };
  });
}

/** GitLab's `POST /api/v4/projects/:id/merge_requests` with the project path as the id, and notes on the one it opened. */
export function startFakeGitLab(options: {
  token: string;
  projectPath: string;
  iid?: number;
  fail?: ForgeAnswer;
}): Promise<FakeForge> {
  return startJsonServer((request) => {
    const expected = `/api/v4/projects/${encodeURIComponent(options.projectPath)}/merge_requests`;
    const note = request.path.startsWith(`${expected}/`)
      ? /^\/(\d+)\/notes$/.exec(request.path.slice(expected.length))
      : null;
    if (request.method !== "POST" || (request.path !== expected && !note)) {
      return { status: 404, body: { message: "404 Project Not Found" } };
    }
    if (request.headers["private-token"] !== options.token) {
      return { status: 401, body: { message: "401 Unauthorized" } };
    }
    if (note) {
      if (Number(note[1]) !== (options.iid ?? 3)) return { status: 404, body: { message: "404 Not found" } };
      if (missing(request.body, ["body"]).length > 0) return { status: 400, body: { error: "body is missing" } };
      return {
        status: 201,
        body: { id: 5000 + Number(note[1]), body: field(request.body, "body"), noteable_type: "MergeRequest" },
      };
    }
    const absent = missing(request.body, ["source_branch", "target_branch", "title"]);
    if (absent.length > 0) return { status: 400, body: { error: `${absent.join(", ")} is missing` } };
    if (options.fail) return options.fail;
    const iid = options.iid ?? 3;
    return {
      status: 201,
      body: {
        id: 1000 + iid,
        iid,
        web_url: `https://gitlab.example.test/${options.projectPath}/-/merge_requests/${iid}`,
        state: "opened",
        source_branch: field(request.body, "source_branch"),
        target_branch: field(request.body, "target_branch"),
      },
    };
  });
}

/**
 * For tests: one local stand-in for GitHub's, GitLab's or Gitea's REST API (node:http on
 * 127.0.0.1), holding state like the real one: pull requests opened on it (their diff read from a
 * bare repository with real git), comments, reviews, and who has which access. It checks the
 * token header each forge uses and answers with the fields of the real shapes Quire reads. Files
 * uploaded to it (`upload`) are served where each forge serves a comment's attachments.
 * Kept free of vitest so other suites can use it.
 */
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { listenLocally } from "@quire/testing";
import type { ForgeKindName } from "../src/delivery/forges-config.js";

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
}

export interface PostedComment {
  number: number;
  body: string;
  /** GitLab only: a merge request's note, not an issue's. */
  onMergeRequest?: boolean;
}

export interface PostedReview {
  number: number;
  body: string;
  commitId?: string;
  comments: { path: string; line: number; startLine?: number; body: string }[];
}

export interface FakeForgeUser {
  login: string;
  /** GitLab's numeric id. */
  id: number;
  /** admin | write | read | none (GitLab: 40 | 30 | 20 | none). */
  access: "admin" | "write" | "read" | "none";
  email?: string;
}

export interface TestForge {
  kind: ForgeKindName;
  /** The base URL to configure: GitHub `api_url`, GitLab and Gitea `url`. */
  url: string;
  project: string;
  pulls: FakePull[];
  comments: PostedComment[];
  reviews: PostedReview[];
  users: FakeForgeUser[];
  /** Every request's method and path, in order. */
  requests: string[];
  /**
   * Adds a file as a comment's attachment (or a redirect to elsewhere), and returns the link the
   * forge writes in the comment: GitHub `<url>/user-attachments/assets/<id>`, GitLab
   * `/uploads/<secret>/<name>` (served by its API), Gitea `/attachments/<uuid>`.
   */
  upload(name: string, content: Buffer | { redirect: string }): string;
  close(): Promise<void>;
}

const GITLAB_LEVEL = { admin: 40, write: 30, read: 20, none: 0 } as const;

/**
 * `gitDir`: the bare repository pushes go to (the pull requests' branches are read from it).
 * `firstNumber`: pull requests are numbered from it (issues and pull requests share numbers on GitHub and Gitea).
 */
export async function startTestForge(options: {
  kind: ForgeKindName;
  token: string;
  project: string;
  gitDir: string;
  users?: FakeForgeUser[];
  firstNumber?: number;
}): Promise<TestForge> {
  const { kind } = options;
  const uploads = new Map<string, Buffer | { redirect: string }>();
  const state: Omit<TestForge, "url" | "close" | "upload"> = {
    kind,
    project: options.project,
    pulls: [],
    comments: [],
    reviews: [],
    users: options.users ?? [],
    requests: [],
  };
  let next = options.firstNumber ?? 100;
  const git = (...args: string[]) => execFileSync("git", ["--git-dir", options.gitDir, ...args], { encoding: "utf8" });
  const sha = (ref: string) => git("rev-parse", `refs/heads/${ref}`).trim();
  const diffOf = (pull: FakePull) => git("diff", `refs/heads/${pull.base}...refs/heads/${pull.head}`);
  const pullOr404 = (number: string) => state.pulls.find((pull) => pull.number === Number(number));
  const user = (login: string) => state.users.find((candidate) => candidate.login === login);

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const url = new URL(req.url ?? "/", "http://forge");
    const method = req.method ?? "GET";
    state.requests.push(`${method} ${url.pathname}`);
    const send = (status: number, reply: unknown, type = "application/json") =>
      res
        .writeHead(status, { "content-type": type })
        .end(typeof reply === "string" && type !== "application/json" ? reply : JSON.stringify(reply));
    const authorized =
      kind === "gitlab"
        ? req.headers["private-token"] === options.token
        : req.headers.authorization === `token ${options.token}`;
    if (!authorized) return send(401, { message: kind === "gitlab" ? "401 Unauthorized" : "Bad credentials" });
    const uploaded = method === "GET" ? uploads.get(url.pathname) : undefined;
    if (Buffer.isBuffer(uploaded)) return res.writeHead(200, { "content-type": "image/png" }).end(uploaded);
    if (uploaded) return res.writeHead(302, { location: uploaded.redirect }).end();
    const answer = route(method, url.pathname, body, String(req.headers.accept ?? ""));
    if (!answer) return send(404, { message: "Not Found" });
    return send(answer[0], answer[1], answer[2]);
  });

  type Answer = [number, unknown, string?];
  const createPull = (head: string, base: string, title: string, description: string): FakePull => {
    const pull = { number: next++, title, body: description, head, base, draft: false };
    state.pulls.push(pull);
    return pull;
  };
  const gitlabMr = (pull: FakePull) => ({
    iid: pull.number,
    web_url: `${forge.url}/${options.project}/-/merge_requests/${pull.number}`,
    source_branch: pull.head,
    target_branch: pull.base,
    sha: sha(pull.head),
    draft: pull.draft,
    diff_refs: { base_sha: sha(pull.base), head_sha: sha(pull.head), start_sha: sha(pull.base) },
  });
  const githubLike = (pull: FakePull) => ({
    number: pull.number,
    html_url: `${forge.url}/${options.project}/pull/${pull.number}`,
    draft: pull.draft,
    title: pull.title,
    head: { ref: pull.head, sha: sha(pull.head) },
    base: { ref: pull.base, sha: sha(pull.base) },
  });

  function route(method: string, path: string, body: Record<string, unknown>, accept: string): Answer | null {
    const str = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");
    if (kind === "gitlab") {
      const prefix = `/api/v4/projects/${encodeURIComponent(options.project)}`;
      const userMatch = /^\/api\/v4\/users\/(\d+)$/.exec(path);
      if (userMatch) {
        const found = state.users.find((candidate) => candidate.id === Number(userMatch[1]));
        return found ? [200, { id: found.id, username: found.login, public_email: found.email ?? "" }] : null;
      }
      // Node's URL keeps the encoded project path as it was sent.
      if (!path.startsWith(prefix)) return null;
      const rest = path.slice(prefix.length);
      if (method === "POST" && rest === "/merge_requests") {
        return [
          201,
          gitlabMr(createPull(str("source_branch"), str("target_branch"), str("title"), str("description"))),
        ];
      }
      const member = /^\/members\/all\/(\d+)$/.exec(rest);
      if (member) {
        const found = state.users.find((candidate) => candidate.id === Number(member[1]));
        if (!found || found.access === "none") return [404, { message: "404 Not found" }];
        return [200, { id: found.id, username: found.login, access_level: GITLAB_LEVEL[found.access] }];
      }
      const notes = /^\/(issues|merge_requests)\/(\d+)\/notes$/.exec(rest);
      if (method === "POST" && notes) {
        state.comments.push({
          number: Number(notes[2]),
          body: str("body"),
          onMergeRequest: notes[1] === "merge_requests",
        });
        return [201, { id: state.comments.length, body: str("body") }];
      }
      const mr = /^\/merge_requests\/(\d+)(\/diffs|\/discussions)?$/.exec(rest);
      const pull = mr ? pullOr404(mr[1]!) : undefined;
      if (!mr || !pull) return null;
      if (method === "GET" && !mr[2]) return [200, gitlabMr(pull)];
      if (method === "GET" && mr[2] === "/diffs") return [200, gitlabDiffs(diffOf(pull))];
      if (method === "POST" && mr[2] === "/discussions") {
        const position = body.position as { new_path: string; new_line: number; head_sha: string } | undefined;
        if (!position) return [400, { message: "position is missing" }];
        state.reviews.push({
          number: pull.number,
          body: "",
          commitId: position.head_sha,
          comments: [{ path: position.new_path, line: position.new_line, body: str("body") }],
        });
        return [201, { id: `d${state.reviews.length}` }];
      }
      return null;
    }
    const api = kind === "github" ? "" : "/api/v1";
    const userMatch = new RegExp(`^${api}/users/([^/]+)$`).exec(path);
    if (userMatch) {
      const found = user(decodeURIComponent(userMatch[1]!));
      return found ? [200, { login: found.login, email: found.email ?? (kind === "github" ? null : "") }] : null;
    }
    const prefix = `${api}/repos/${options.project}`;
    if (!path.startsWith(prefix)) return null;
    const rest = path.slice(prefix.length);
    if (method === "POST" && rest === "/pulls") {
      return [201, githubLike(createPull(str("head"), str("base"), str("title"), str("body")))];
    }
    const permission = /^\/collaborators\/([^/]+)\/permission$/.exec(rest);
    if (permission) {
      const found = user(decodeURIComponent(permission[1]!));
      if (!found) return [404, { message: "Not Found" }];
      return [200, { permission: found.access, role_name: found.access }];
    }
    const comment = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (method === "POST" && comment) {
      state.comments.push({ number: Number(comment[1]), body: str("body") });
      return [201, { id: state.comments.length, body: str("body") }];
    }
    const pullPath = /^\/pulls\/(\d+)(\.diff|\/reviews)?$/.exec(rest);
    const pull = pullPath ? pullOr404(pullPath[1]!) : undefined;
    if (!pullPath || !pull) return null;
    if (method === "GET" && pullPath[2] === ".diff") return [200, diffOf(pull), "text/plain"];
    if (method === "GET" && !pullPath[2]) {
      return accept.includes("diff") ? [200, diffOf(pull), "text/plain"] : [200, githubLike(pull)];
    }
    if (method === "POST" && pullPath[2] === "/reviews") {
      const comments = (body.comments ?? []) as Record<string, unknown>[];
      state.reviews.push({
        number: pull.number,
        body: str("body"),
        commitId: str("commit_id"),
        comments: comments.map((item) => ({
          path: String(item.path),
          // GitHub: line (and start_line); Gitea: new_position.
          line: Number(item.line ?? item.new_position),
          ...(item.start_line !== undefined ? { startLine: Number(item.start_line) } : {}),
          body: String(item.body),
        })),
      });
      return [200, { id: state.reviews.length, state: "COMMENTED" }];
    }
    return null;
  }

  const upload = (name: string, content: Buffer | { redirect: string }): string => {
    if (kind === "gitlab") {
      const secret = randomBytes(16).toString("hex");
      uploads.set(`/api/v4/projects/${encodeURIComponent(options.project)}/uploads/${secret}/${name}`, content);
      return `/uploads/${secret}/${name}`;
    }
    const path = kind === "github" ? `/user-attachments/assets/${randomUUID()}` : `/attachments/${randomUUID()}`;
    uploads.set(path, content);
    return kind === "github" ? `${forge.url}${path}` : path;
  };
  const listener = await listenLocally(server);
  const forge: TestForge = { ...state, url: listener.origin, upload, close: listener.close };
  // The arrays are shared: tests read what the server recorded.
  return forge;
}

/** GitLab's `/diffs`: one entry per file, the hunks without the file headers. */
function gitlabDiffs(diff: string) {
  return diff
    .split(/^(?=diff --git )/m)
    .filter((part) => part.startsWith("diff --git "))
    .map((part) => {
      const header = /^diff --git a\/(\S+) b\/(\S+)/.exec(part)!;
      const hunks = part.slice(part.search(/^@@/m));
      return {
        old_path: header[1],
        new_path: header[2],
        diff: hunks,
        new_file: /^new file mode/m.test(part),
        deleted_file: /^deleted file mode/m.test(part),
      };
    });
}

/**
 * For tests: git's smart HTTP protocol served by `git http-backend` (as CGI) over node:http on
 * 127.0.0.1, answering 401 unless the request carries the expected Authorization header, and
 * recording each request's target and header. Lets tests push over HTTP with a token for real.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { listenLocally } from "@quire/testing";

export interface GitHttpRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; repositories are under it by their path in `projectRoot`. */
  url: string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

function runBackend(env: Record<string, string>, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "inherit"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.on("error", reject);
    child.on("close", () => resolve(Buffer.concat(out)));
    // The backend may answer (a refused push) before reading the whole body: not an error here.
    child.stdin.on("error", () => {});
    child.stdin.end(body);
  });
}

export async function startGitHttpServer(options: {
  /** The directory holding the bare repositories. */
  projectRoot: string;
  /** The exact Authorization header value required; null serves anyone (a public repository). */
  authorization: string | null;
  /** Extra environment for the backend (and so for the repositories' hooks). */
  env?: Record<string, string>;
  /** Called before an authenticated request is served: lets a test change the repository mid-push. */
  beforeRequest?: (request: GitHttpRequest) => void;
}): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization };
    requests.push(request);
    if (options.authorization !== null && req.headers.authorization !== options.authorization) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="quire-test"' }).end("authentication required\n");
      return;
    }
    options.beforeRequest?.(request);
    const target = new URL(req.url ?? "/", "http://localhost");
    const body = Buffer.concat(chunks);
    const output = await runBackend(
      {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: options.projectRoot,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_PROJECT_ROOT: options.projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        // Receive-pack (push) is only served to an authenticated user.
        REMOTE_USER: "quire-test",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: decodeURIComponent(target.pathname),
        QUERY_STRING: target.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        ...options.env,
      },
      body,
    );
    // CGI output: header lines, a blank line, the body; "Status:" carries the HTTP status.
    const split = output.indexOf("\r\n\r\n");
    const headerText = output.subarray(0, split).toString("latin1");
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of headerText.split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers).end(output.subarray(split + 4));
  });
  const listener = await listenLocally(server);
  return { url: listener.origin, requests, close: listener.close };
}

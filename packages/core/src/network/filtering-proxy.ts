import { lookup } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import {
  createServer,
  request as httpRequest,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import { connect, isIP, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import type { NetworkPolicy } from "../environments/types.js";
import { formatNetworkRefusal, type DecisionReason, type NetworkDecision } from "./decision.js";
import { isPrivateAddress, matchHost, normalizeHost } from "./host-rules.js";
import type { DestinationRule } from "./operator-allowance.js";

/**
 * The setup phase's rule (setup-network.ts): any method and port, to hosts that resolve to a
 * destination the rule allows (public ones, plus what the operator allowed), and only to
 * `domains` when that is a list.
 */
export interface SetupProxyRule {
  domains: readonly string[] | null;
  destinations: DestinationRule;
}

export interface FilteringProxyOptions {
  /** The agent phase's allowlist; ignored when `setup` is given. */
  policy: Pick<NetworkPolicy, "domains" | "preset" | "methods">;
  setup?: SetupProxyRule;
  /**
   * The agent phase's allowlist: every address the proxy connects to must pass it too (public,
   * or what the operator's `[outbound] allow_private` names), even for a host listed by its exact
   * name or address. Without it a listed name is connected to wherever it resolves.
   */
  destinations?: DestinationRule;
  /** Called for every request the proxy judged, allowed or not; refusals become events. */
  onDecision?: (decision: NetworkDecision) => void;
  /** A host name to the address to connect to; DNS on the host by default (tests map names to 127.0.0.1). */
  resolve?: (host: string) => Promise<string>;
  /** Ports plain HTTP requests may go to; default 80. */
  httpPorts?: readonly number[];
  /** Ports CONNECT tunnels may go to; default 443 only (a tunnel to 80 would skip the method filter). */
  connectPorts?: readonly number[];
  /**
   * For a client on the host (git fetching a repository URL): listen on 127.0.0.1, and serve
   * only requests carrying this token as Basic proxy credentials (user "quire"), so other
   * processes on the host cannot use the proxy while it is open.
   */
  hostClientToken?: string;
}

export interface FilteringProxy {
  /** Unix socket the proxy listens on, in a fresh directory only this user can enter ("" with hostClientToken). */
  socketPath: string;
  /** The port on 127.0.0.1 with hostClientToken; null otherwise. */
  port: number | null;
  close(): Promise<void>;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Headers about one connection, not the request: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase());
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.includes(name)) kept[name] = value;
  }
  return kept;
}

async function lookupHost(host: string): Promise<string> {
  const addresses = await lookup(host, { all: true });
  const chosen = addresses.find((entry) => entry.family === 4) ?? addresses[0];
  if (!chosen) throw new Error("no address");
  return chosen.address;
}

/** "host:port" of a CONNECT request, with an IPv6 literal in brackets. */
function parseAuthority(authority: string | undefined): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/@[\]]+):(\d{1,5})$/.exec(authority ?? "");
  if (!match) return null;
  return { host: normalizeHost(match[1]!), port: Number(match[2]) };
}

/** An answer written straight onto a socket: after CONNECT the HTTP server no longer owns it. */
function rawReply(socket: Duplex, status: number, body: string): void {
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
}

function textReply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  res.end(body);
}

/**
 * An HTTP proxy on a Unix socket, outside the sandbox, that lets through only what the
 * environment's network policy allows: plain HTTP requests with an absolute URI, and CONNECT
 * tunnels (HTTPS). It resolves names itself and connects to exactly the address it checked,
 * so DNS answers cannot change between the check and the connection. In "safe" mode the
 * method filter sees plain HTTP only: inside a tunnel the requests are encrypted.
 */
export async function startFilteringProxy(options: FilteringProxyOptions): Promise<FilteringProxy> {
  const { policy, onDecision } = options;
  const resolve = options.resolve ?? lookupHost;
  const httpPorts = options.httpPorts ?? [80];
  const connectPorts = options.connectPorts ?? [443];
  const sockets = new Set<Socket | Duplex>();
  const track = (socket: Socket | Duplex): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  /**
   * Setup's verdict. The address is checked after resolution and is the one connected to, so a
   * name cannot resolve to a public address for the check and to the host for the connection;
   * a redirect is a new request through here, judged the same way.
   */
  const judgeSetup = async (rule: SetupProxyRule, host: string, port: number) => {
    if (rule.domains !== null && matchHost(host, { domains: [...rule.domains], preset: false }) === null) {
      return { reason: "not-in-allowlist" as DecisionReason };
    }
    const address = isIP(host) !== 0 ? host : await resolve(host);
    if (!rule.destinations.allows(address, port)) return { reason: "private-address" as DecisionReason };
    return { reason: "allowed" as DecisionReason, address };
  };

  /** The policy's verdict; throws only when the name does not resolve. */
  const judge = async (host: string, port: number, method: string, tunnel: boolean, hasBody: boolean) => {
    if (options.setup) return judgeSetup(options.setup, host, port);
    const match = matchHost(host, policy);
    if (match === null) return { reason: "not-in-allowlist" as DecisionReason };
    if (!(tunnel ? connectPorts : httpPorts).includes(port)) return { reason: "port-not-allowed" as DecisionReason };
    if (!tunnel && policy.methods === "safe" && !SAFE_METHODS.has(method)) {
      return { reason: "method-not-allowed" as DecisionReason };
    }
    // A GET can carry a body too; in safe mode that would be a way to send data out.
    if (!tunnel && policy.methods === "safe" && hasBody) return { reason: "body-not-allowed" as DecisionReason };
    const address = isIP(host) !== 0 ? host : await resolve(host);
    if (match === "pattern" && isPrivateAddress(address)) return { reason: "private-address" as DecisionReason };
    if (options.destinations && !options.destinations.allows(address, port)) {
      return { reason: "private-address" as DecisionReason };
    }
    return { reason: "allowed" as DecisionReason, address };
  };

  /** Judges and reports; returns the address to connect to, or the refusal text already to send. */
  const decide = async (fields: Omit<NetworkDecision, "allowed" | "reason">, tunnel: boolean, hasBody = false) => {
    let verdict: Awaited<ReturnType<typeof judge>>;
    try {
      verdict = await judge(fields.host, fields.port, fields.method, tunnel, hasBody);
    } catch (error) {
      return { status: 502, body: `quire proxy: cannot resolve ${fields.host}: ${(error as Error).message}\n` };
    }
    const decision: NetworkDecision = { ...fields, allowed: verdict.reason === "allowed", reason: verdict.reason };
    try {
      onDecision?.(decision);
    } catch {
      // A failing listener must not take the proxy down.
    }
    if (verdict.address === undefined) return { status: 403, body: `quire: ${formatNetworkRefusal(decision)}\n` };
    return { address: verdict.address };
  };

  const expectedAuth =
    options.hostClientToken === undefined
      ? null
      : `Basic ${Buffer.from(`quire:${options.hostClientToken}`).toString("base64")}`;
  const authorized = (req: IncomingMessage): boolean =>
    expectedAuth === null || req.headers["proxy-authorization"] === expectedAuth;
  const AUTH_REQUIRED = "quire proxy: proxy credentials required\n";

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req)) return textReply(res, 407, AUTH_REQUIRED);
    const method = req.method ?? "GET";
    let url: URL | null = null;
    try {
      url = new URL(req.url ?? "");
    } catch {
      // not absolute: this is a proxy, not a web server
    }
    if (url?.protocol !== "http:") {
      return textReply(res, 400, "quire proxy: send http:// URLs in absolute form; use CONNECT for https\n");
    }
    const host = normalizeHost(url.hostname);
    const port = url.port === "" ? 80 : Number(url.port);
    const target = `http://${url.host}${url.pathname}${url.search}`;
    const chunked = req.headers["transfer-encoding"] !== undefined;
    const hasBody = chunked || Number(req.headers["content-length"] ?? 0) > 0;
    const outcome = await decide({ host, port, method, target }, false, hasBody);
    if (outcome.address === undefined) return textReply(res, outcome.status, outcome.body);
    const headers = { ...endToEndHeaders(req.headers), host: url.host };
    // Node frames a GET's body only when told to: unframed, its bytes would reach the upstream
    // as the start of a second request.
    if (chunked) headers["transfer-encoding"] = "chunked";

    const upstream = httpRequest({
      host: outcome.address,
      port,
      method,
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false,
    });
    upstream.on("socket", track);
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      if (res.headersSent) res.destroy();
      else textReply(res, 502, `quire proxy: ${host}:${port}: ${error.message}\n`);
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  };

  const onConnect = async (req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> => {
    track(client);
    client.on("error", () => client.destroy());
    if (!authorized(req)) return rawReply(client, 407, AUTH_REQUIRED);
    const authority = parseAuthority(req.url);
    if (!authority) return rawReply(client, 400, "quire proxy: CONNECT needs host:port\n");
    const target = `${authority.host.includes(":") ? `[${authority.host}]` : authority.host}:${authority.port}`;
    const outcome = await decide({ ...authority, method: "CONNECT", target }, true);
    if (outcome.address === undefined) return rawReply(client, outcome.status, outcome.body);
    if (client.destroyed) return;

    let open = false;
    const upstream = connect({ host: outcome.address, port: authority.port, allowHalfOpen: true });
    track(upstream);
    upstream.once("connect", () => {
      open = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", (error) => {
      if (open) client.destroy();
      else rawReply(client, 502, `quire proxy: ${target}: ${error.message}\n`);
    });
    client.on("close", () => upstream.destroy());
  };

  // No request timeout: a large download through the proxy may take long; the command's own
  // time limit ends it (and with it the connection).
  const server = createServer({ requestTimeout: 0 });
  server.on("connection", track);
  server.on("request", (req, res) => void onRequest(req, res));
  server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => void onConnect(req, socket, head));

  const tcp = options.hostClientToken !== undefined;
  const dir = tcp ? null : mkdtempSync(path.join(os.tmpdir(), "quire-net-"));
  const socketPath = dir === null ? "" : path.join(dir, "proxy.sock");
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      if (tcp) server.listen(0, "127.0.0.1", () => resolveListen());
      else server.listen(socketPath, () => resolveListen());
    });
  } catch (error) {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const address = server.address();

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    port: tcp && typeof address === "object" && address !== null ? address.port : null,
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      }).finally(() => {
        if (dir !== null) rmSync(dir, { recursive: true, force: true });
      });
      return closing;
    },
  };
}

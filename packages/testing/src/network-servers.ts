import { createServer as createHttpServer, request, type IncomingHttpHeaders } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server } from "node:net";

/** Test upstreams on the host's 127.0.0.1: what the proxy (or a leak) would reach. */
export interface LocalServer {
  port: number;
  /** Requests (or connections) that arrived. */
  hits: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const closer = (server: Server) => () =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ("closeAllConnections" in server && typeof server.closeAllConnections === "function") {
      server.closeAllConnections();
    }
  });

/** Answers "<METHOD> <path> host=<Host> body=<body>". */
export async function startHttpEcho(): Promise<LocalServer> {
  const hits: string[] = [];
  const server = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const line = `${req.method} ${req.url} host=${req.headers.host} body=${body}`;
      hits.push(line);
      res.end(line);
    });
  });
  return { port: await listen(server), hits, close: closer(server) };
}

/** Echoes every byte back, upper-cased, so an answer cannot be the request itself. */
export async function startTcpEcho(): Promise<LocalServer> {
  const hits: string[] = [];
  const server = createTcpServer((socket) => {
    hits.push("connection");
    socket.on("data", (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
    socket.on("error", () => socket.destroy());
  });
  return { port: await listen(server), hits, close: closer(server) };
}

export interface ProxyAnswer {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** A plain HTTP request in absolute form, sent to the proxy's Unix socket. */
export function viaProxy(
  socketPath: string,
  url: string,
  method = "GET",
  body?: string,
  headers: Record<string, string> = {},
): Promise<ProxyAnswer> {
  const host = URL.canParse(url) ? new URL(url).host : "proxy";
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: url, method, headers: { host, ...headers } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** CONNECT through the proxy's socket; on 200 sends "ping" and returns what came back. */
export function tunnelViaProxy(socketPath: string, authority: string): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: "CONNECT", path: authority });
    req.on("connect", (res, socket, head) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        let text = head.toString(); // what came with the status line
        socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
        socket.on("close", () => resolve({ status, body: text, headers: res.headers }));
        return;
      }
      socket.write("ping");
      socket.once("data", (chunk: Buffer) => {
        socket.destroy();
        resolve({ status, body: chunk.toString(), headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

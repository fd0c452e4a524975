/**
 * A service on the host that attack tests aim at: it counts the connections that reach it and
 * answers "hello from the host", so a test can tell both that a probe got through and what it read.
 */
import { createServer, type Server, type Socket } from "node:net";

export interface HostService {
  port: number;
  /** Connections that reached it. */
  hits: () => number;
}

/** Listens on a TCP host (`::` for every address of the host) or an abstract Unix socket; `cleanups` closes it. */
export async function hostService(
  where: { host: string } | { abstract: string },
  cleanups: (() => Promise<unknown> | void)[],
): Promise<HostService> {
  let hits = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    hits++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.end("HTTP/1.0 200 OK\r\nContent-Length: 19\r\n\r\nhello from the host");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if ("abstract" in where) server.listen(`\0${where.abstract}`, resolve);
    else server.listen({ port: 0, host: where.host, ipv6Only: false }, resolve);
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, hits: () => hits };
}

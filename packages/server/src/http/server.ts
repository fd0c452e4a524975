/** Serves an app over Node's HTTP server. */
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { AddressInfo } from "node:net";

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 (the real port when started on port 0). */
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: { app: Hono; host?: string; port: number }): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: options.app.fetch, hostname: host, port: options.port }, (info: AddressInfo) => {
      const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            // Open SSE streams would keep close() waiting forever; end them.
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
    server.once("error", reject);
  });
}

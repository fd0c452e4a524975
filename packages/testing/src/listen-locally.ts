/** For test servers: listen on an ephemeral port of 127.0.0.1, and close without waiting on idle keep-alive sockets. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalListener {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Drops open connections (keep-alive sockets, replies still waiting out a delay), then closes. */
  close(): Promise<void>;
}

export async function listenLocally(server: Server): Promise<LocalListener> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

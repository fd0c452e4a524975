/**
 * A TCP proxy in front of `quire serve` that can drop every open connection at once: what a
 * restarting load balancer or a flaky network does to a live event stream. (Chromium's offline
 * emulation fails new requests but leaves an established stream alone, so it cannot.)
 */
import net from "node:net";

export interface DroppingProxy {
  url: string;
  /** Destroys every connection open now; new ones go through as before. */
  dropAll(): number;
  close(): Promise<void>;
}

export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    open.add(client);
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropAll: () => {
      const count = open.size;
      for (const socket of open) socket.destroy();
      open.clear();
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// A member of a multi-user server registers repository URLs that point at the server's own
// host: its loopback services and its other addresses. The host's git must not connect to them
// (SSRF), and the answer must not tell an open port from a closed one.
import { createServer, type Server, type Socket } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ADMIN } from "../helpers/web-accounts.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let server: WebServer;
let service: { port: number; connections: () => number; close: () => Promise<void> };
let closedPort: number;

/** Something listening on every address of the host, counting connections. */
async function listeningEverywhere(): Promise<typeof service> {
  let connections = 0;
  const open = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.end("HTTP/1.0 500 Internal Server Error\r\nContent-Length: 11\r\n\r\nopen port!\n");
  });
  await new Promise<void>((resolve) => tcp.listen({ port: 0, host: "::", ipv6Only: false }, resolve));
  const address = tcp.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        tcp.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 0;
}

beforeAll(async () => {
  server = await startWebServer({}, { auth: { mode: "multi", admin: ADMIN } });
  service = await listeningEverywhere();
  closedPort = await freePort();
}, 60_000);

afterAll(async () => {
  await service?.close();
  await server?.close();
});

const register = (source: string) =>
  server.api<Record<string, unknown>>("/api/repositories", "POST", { name: "x", source });

it("refuses URLs to the host's loopback with one answer, whether the port is open or closed", async () => {
  const open = await register(`http://127.0.0.1:${service.port}/x.git`);
  const closed = await register(`http://127.0.0.1:${closedPort}/x.git`);
  expect(open.status).toBe(400);
  expect(closed.status).toBe(400);
  expect(JSON.stringify(open.body)).toBe(JSON.stringify(closed.body));
  expect(JSON.stringify(open.body)).toContain("could not fetch the repository from that URL");
  expect(service.connections()).toBe(0);
  const listed = await server.api<{ repositories: unknown[] }>("/api/repositories", "GET");
  expect(listed.body.repositories).toEqual([]);
});

it("refuses every transport and spelling that leads to the host: https, ssh, git://, scp-style, names, its other addresses", async () => {
  const own = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.address.startsWith("fe80"))
    .map((entry) => (entry.family === "IPv6" ? `[${entry.address}]` : entry.address));
  const port = service.port;
  const sources = [
    `https://127.0.0.1:${port}/x.git`,
    `http://localhost:${port}/x.git`,
    `http://2130706433:${port}/x.git`,
    `http://[::ffff:127.0.0.1]:${port}/x.git`,
    `ssh://git@127.0.0.1:${port}/x.git`,
    `git://127.0.0.1:${port}/x.git`,
    `git://localhost:${port}/x.git`,
    "git@127.0.0.1:x.git",
    ...own.map((address) => `http://${address}:${port}/x.git`),
  ];
  const answers = new Set<string>();
  for (const source of sources) {
    const answer = await register(source);
    expect(answer.status, source).toBe(400);
    answers.add(JSON.stringify(answer.body));
  }
  expect([...answers]).toHaveLength(1);
  expect(service.connections()).toBe(0);
  const listed = await server.api<{ repositories: unknown[] }>("/api/repositories", "GET");
  expect(listed.body.repositories).toEqual([]);
}, 60_000);

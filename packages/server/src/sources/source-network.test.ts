import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { git } from "@quire/core";
import { afterEach, beforeEach, expect, it } from "vitest";
import { SourceFetchError, withGuardedGit } from "./source-network.js";

let home: string;
let tcp: Server;
let port = 0;
let connections = 0;
const open = new Set<Socket>();

beforeEach(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), "quire-source-net-"));
  connections = 0;
  tcp = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.end("not git\n");
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const address = tcp.address();
  port = typeof address === "object" && address !== null ? address.port : 0;
});

afterEach(async () => {
  for (const socket of open) socket.destroy();
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  rmSync(home, { recursive: true, force: true });
});

const lsRemote = (url: string) =>
  withGuardedGit(home, ({ configArgs, env }) => git([...configArgs, "ls-remote", "--", url], { cwd: home, env }));

const urls = () => [
  `http://127.0.0.1:${port}/x.git`,
  `git://127.0.0.1:${port}/x.git`,
  `ssh://git@127.0.0.1:${port}/x.git`,
];

it("every transport goes through the proxy: refused before connecting unless the operator allowed it", async () => {
  for (const url of urls()) await expect(lsRemote(url), url).rejects.toBeInstanceOf(SourceFetchError);
  expect(connections).toBe(0);

  writeFileSync(path.join(home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${port}"]\n`);
  for (const url of urls()) {
    const before = connections;
    // The server is not git: the fetch fails, but only after the proxy connected to it.
    await expect(lsRemote(url), url).rejects.toThrow("could not fetch the repository from that URL");
    expect(connections, url).toBe(before + 1);
  }
});

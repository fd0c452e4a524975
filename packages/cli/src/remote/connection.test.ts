/** Which server and token a command uses: a stored token goes only to the server it was stored for. */
import http from "node:http";
import { mkdtempSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { remoteClient } from "./connection.js";
import { loginFile, writeLogin } from "./login-file.js";

let server: http.Server;
let url: string;
const seen: (string | undefined)[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ tasks: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  process.env = { ...saved, QUIRE_HOME: mkdtempSync(path.join(os.tmpdir(), "quire-home-")) };
  delete process.env.QUIRE_SERVER;
  delete process.env.QUIRE_TOKEN;
  seen.length = 0;
});

describe("remoteClient", () => {
  it("works on the local home when no server is named anywhere", async () => {
    expect(await remoteClient({})).toBeNull();
  });

  it("sends the stored token to its own server, and never to another one", async () => {
    const home = process.env.QUIRE_HOME!;
    await writeLogin(home, { server: url, token: "quire_stored" });
    expect(statSync(loginFile(home)).mode & 0o777).toBe(0o600);
    await (await remoteClient({}))!.json("GET", "/api/tasks");
    // The same server spelled with a trailing slash is the same server.
    await (await remoteClient({ server: `${url}/` }))!.json("GET", "/api/tasks");
    const other = url.replace("127.0.0.1", "localhost");
    await (await remoteClient({ server: other }))!.json("GET", "/api/tasks");
    expect(seen).toEqual(["Bearer quire_stored", "Bearer quire_stored", undefined]);
  });

  it("takes QUIRE_SERVER and QUIRE_TOKEN over the stored login, and --server over both", async () => {
    await writeLogin(process.env.QUIRE_HOME!, { server: "http://127.0.0.1:9", token: "quire_stored" });
    process.env.QUIRE_SERVER = "http://127.0.0.1:8";
    process.env.QUIRE_TOKEN = "quire_env";
    const client = (await remoteClient({ server: url }))!;
    expect(client.server).toBe(url);
    await client.json("GET", "/api/tasks");
    expect(seen).toEqual(["Bearer quire_env"]);
    expect((await remoteClient({}))!.server).toBe("http://127.0.0.1:8");
  });

  it("refuses a server that is not an http(s) URL, or carries credentials", async () => {
    await expect(remoteClient({ server: "quire.example.com" })).rejects.toThrow(/not a URL/);
    await expect(remoteClient({ server: "ftp://example.com" })).rejects.toThrow(/not an http or https URL/);
    await expect(remoteClient({ server: "https://me:quire_x@example.com" })).rejects.toThrow(/QUIRE_TOKEN/);
  });
});

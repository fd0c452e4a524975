import { existsSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetworkDecision } from "./decision.js";
import { startFilteringProxy, type FilteringProxy, type FilteringProxyOptions } from "./filtering-proxy.js";
import { startHttpEcho, startTcpEcho, tunnelViaProxy, viaProxy, type LocalServer } from "@quire/testing";

// No internet here: every ".test" name resolves to the host's loopback, where the upstreams listen.
const resolve = async (host: string): Promise<string> => {
  if (host.endsWith(".test")) return "127.0.0.1";
  throw new Error(`unknown host ${host}`);
};

let web: LocalServer;
let echo: LocalServer;
let proxy: FilteringProxy | undefined;
let decisions: NetworkDecision[];

beforeEach(async () => {
  [web, echo] = await Promise.all([startHttpEcho(), startTcpEcho()]);
  decisions = [];
});
afterEach(async () => {
  await Promise.all([proxy?.close(), web.close(), echo.close()]);
  proxy = undefined;
});

async function start(policy: Partial<FilteringProxyOptions["policy"]> = {}): Promise<string> {
  proxy = await startFilteringProxy({
    policy: { domains: ["allowed.test"], preset: false, methods: "safe", ...policy },
    onDecision: (decision) => decisions.push(decision),
    resolve,
    httpPorts: [web.port],
    connectPorts: [echo.port],
  });
  return proxy.socketPath;
}

describe("filtering proxy", () => {
  it("forwards a request to a listed host, with its Host header", async () => {
    const socket = await start();
    const answer = await viaProxy(socket, `http://allowed.test:${web.port}/a?b=1`);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(`GET /a?b=1 host=allowed.test:${web.port} body=`);
    expect(decisions).toEqual([
      {
        host: "allowed.test",
        port: web.port,
        method: "GET",
        target: `http://allowed.test:${web.port}/a?b=1`,
        allowed: true,
        reason: "allowed",
      },
    ]);
  });

  it("refuses a host that is not listed, and reports it", async () => {
    const socket = await start();
    const answer = await viaProxy(socket, `http://other.test:${web.port}/x`);
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(`quire: network: blocked GET http://other.test:${web.port}/x (not in allowlist)\n`);
    expect(decisions).toMatchObject([{ host: "other.test", allowed: false, reason: "not-in-allowlist" }]);
    expect(web.hits).toEqual([]);
  });

  it("lets only GET, HEAD and OPTIONS through in safe mode, any method with all", async () => {
    let socket = await start({ methods: "safe" });
    const refused = await viaProxy(socket, `http://allowed.test:${web.port}/p`, "POST", "data");
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("only GET, HEAD and OPTIONS are allowed");
    expect((await viaProxy(socket, `http://allowed.test:${web.port}/p`, "HEAD")).status).toBe(200);
    expect(web.hits).toEqual([`HEAD /p host=allowed.test:${web.port} body=`]);
    await proxy?.close();

    socket = await start({ methods: "all" });
    const posted = await viaProxy(socket, `http://allowed.test:${web.port}/p`, "POST", "data");
    expect(posted.body).toBe(`POST /p host=allowed.test:${web.port} body=data`);
  });

  it("refuses a GET with a body in safe mode, and forwards a chunked one framed", async () => {
    let socket = await start({ methods: "safe" });
    // node frames a GET's body only when told its length
    const refused = await viaProxy(socket, `http://allowed.test:${web.port}/g`, "GET", "data", {
      "content-length": "4",
    });
    expect(refused.body).toContain("a request body is not allowed in safe mode");
    await proxy?.close();

    socket = await start({ methods: "all" });
    const chunked = { "transfer-encoding": "chunked" };
    const answer = await viaProxy(socket, `http://allowed.test:${web.port}/g`, "GET", "data", chunked);
    expect(answer.body).toBe(`GET /g host=allowed.test:${web.port} body=data`);
    expect(web.hits).toHaveLength(1); // one request upstream, not a smuggled second
  });

  it("matches *.domain to subdomains only, and keeps patterns away from local addresses", async () => {
    const socket = await start({ domains: ["*.wild.test"] });
    const apex = await viaProxy(socket, `http://wild.test:${web.port}/`);
    expect(apex.status).toBe(403);
    // sub.wild.test matches, but resolves to 127.0.0.1: only a host named exactly may go there.
    const sub = await viaProxy(socket, `http://sub.wild.test:${web.port}/`);
    expect(sub.status).toBe(403);
    expect(sub.body).toContain("resolves to a private or local address");
    expect(decisions.map((d) => d.reason)).toEqual(["not-in-allowlist", "private-address"]);
    expect(web.hits).toEqual([]);
  });

  it("refuses IP literals unless listed as such, and ports not allowed", async () => {
    let socket = await start();
    expect((await viaProxy(socket, `http://127.0.0.1:${web.port}/`)).status).toBe(403);
    expect((await viaProxy(socket, `http://allowed.test:${web.port + 1}/`)).body).toContain("port not allowed");
    await proxy?.close();
    socket = await start({ domains: ["127.0.0.1"] });
    expect((await viaProxy(socket, `http://127.0.0.1:${web.port}/`)).status).toBe(200);
  });

  it("tunnels CONNECT to a listed host and refuses the rest", async () => {
    const socket = await start();
    const tunnel = await tunnelViaProxy(socket, `allowed.test:${echo.port}`);
    expect(tunnel).toMatchObject({ status: 200, body: "PING" });
    const other = await tunnelViaProxy(socket, `other.test:${echo.port}`);
    expect(other.status).toBe(403);
    expect(other.body).toContain(`blocked CONNECT other.test:${echo.port} (not in allowlist)`);
    const port = await tunnelViaProxy(socket, `allowed.test:${web.port}`);
    expect(port.body).toContain("port not allowed");
    expect(echo.hits).toEqual(["connection"]);
    expect(decisions.map((d) => [d.method, d.allowed])).toEqual([
      ["CONNECT", true],
      ["CONNECT", false],
      ["CONNECT", false],
    ]);
  });

  it("answers 400 to a request that is not in proxy form, and 502 when a name does not resolve", async () => {
    const socket = await start({ domains: ["allowed.test", "nowhere.example"] });
    expect((await viaProxy(socket, "/relative")).status).toBe(400);
    const unresolved = await viaProxy(socket, `http://nowhere.example:${web.port}/`);
    expect(unresolved.status).toBe(502);
    expect(unresolved.body).toContain("cannot resolve nowhere.example");
  });

  it("removes its socket when closed", async () => {
    const socket = await start();
    expect(existsSync(socket)).toBe(true);
    await proxy?.close();
    expect(existsSync(socket)).toBe(false);
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetworkPolicy } from "../environments/types.js";
import { findBwrap } from "../sandbox/availability.js";
import { createBwrapSandbox } from "../sandbox/bwrap.js";
import { openAgentNetwork, type AgentNetwork } from "./agent-network.js";
import type { NetworkDecision } from "./decision.js";
import { startHttpEcho, startTcpEcho, type LocalServer } from "@quire/testing";

const bwrapPath = findBwrap();
if (bwrapPath === null) throw new Error("these tests need bubblewrap: apt-get install bubblewrap");
const hasCurl = ((): boolean => {
  try {
    execFileSync("sh", ["-c", "command -v curl"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * A client run inside the sandbox with the system node: "http <url> <method>" or
 * "connect <host:port>", through $HTTP_PROXY. Prints "<status> <body>", or "error <code>".
 */
const CLIENT = `
const http = require("http");
const [kind, target, method = "GET"] = process.argv.slice(1);
const proxy = new URL(process.env.HTTP_PROXY);
const req = http.request({ host: proxy.hostname, port: proxy.port, path: target,
  method: kind === "connect" ? "CONNECT" : method });
const collect = (status, stream, text) => {
  stream.on("data", (d) => (text += d));
  stream.on("end", () => console.log(status + " " + text.trim()));
};
req.on("response", (res) => collect(res.statusCode, res, ""));
req.on("connect", (res, socket, head) => {
  if (res.statusCode !== 200) return collect(res.statusCode, socket, head.toString());
  socket.write("ping");
  socket.once("data", (d) => { console.log("200 " + d); socket.destroy(); });
});
req.on("error", (e) => console.log("error " + e.code));
req.end(method === "POST" ? "data" : undefined);
`;

let workspace: string;
let web: LocalServer;
let echo: LocalServer;
let network: AgentNetwork | undefined;
let decisions: NetworkDecision[];

beforeEach(async () => {
  workspace = mkdtempSync(path.join(os.tmpdir(), "quire-net-ws-"));
  [web, echo] = await Promise.all([startHttpEcho(), startTcpEcho()]);
  decisions = [];
});
afterEach(async () => {
  await Promise.all([network?.close(), web.close(), echo.close()]);
  network = undefined;
  rmSync(workspace, { recursive: true, force: true });
});

async function open(policy: Partial<NetworkPolicy>): Promise<void> {
  const full: NetworkPolicy = {
    mode: "allowlist",
    domains: ["allowed.test"],
    preset: false,
    methods: "safe",
    ...policy,
  };
  network = await openAgentNetwork(full, {
    onDecision: (decision) => decisions.push(decision),
    resolve: async (host) => (host.endsWith(".test") ? "127.0.0.1" : Promise.reject(new Error("no DNS here"))),
    httpPorts: [web.port],
    connectPorts: [echo.port],
    // The test's servers stand for public hosts: only the operator opens a local address.
    outbound: { allowPrivate: [`127.0.0.1:${web.port}`, `127.0.0.1:${echo.port}`] },
  });
}

async function run(argv: string[]): Promise<{ exitCode: number | null; output: string }> {
  const sandbox = createBwrapSandbox({ workspace, writable: true, ...network!.sandbox }, bwrapPath!);
  return sandbox.exec({ argv, cwd: workspace, timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
}

const client = (...args: string[]) => run(["node", "-e", CLIENT, ...args]);
const hostTcp = (port: number) => run(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`]);

describe("agent network in the bwrap sandbox", () => {
  it("allowlist: reaches a listed host through the proxy, and refuses the rest with a decision", async () => {
    await open({});
    const allowed = await client("http", `http://allowed.test:${web.port}/x`);
    expect(allowed.output).toBe(`200 GET /x host=allowed.test:${web.port} body=\n`);
    const refused = await client("http", `http://other.test:${web.port}/y`);
    expect(refused.output).toBe(`403 quire: network: blocked GET http://other.test:${web.port}/y (not in allowlist)\n`);
    expect(decisions.map((d) => [d.host, d.allowed])).toEqual([
      ["allowed.test", true],
      ["other.test", false],
    ]);
    expect(web.hits).toHaveLength(1);
  });

  it("allowlist: POST is refused in safe mode and passes with all", async () => {
    await open({ methods: "safe" });
    expect((await client("http", `http://allowed.test:${web.port}/p`, "POST")).output).toMatch(/^403 .*only GET/);
    await network?.close();
    await open({ methods: "all" });
    const posted = await client("http", `http://allowed.test:${web.port}/p`, "POST");
    expect(posted.output).toBe(`200 POST /p host=allowed.test:${web.port} body=data\n`);
  });

  it("allowlist: CONNECT tunnels to a listed host only", async () => {
    await open({});
    expect((await client("connect", `allowed.test:${echo.port}`)).output).toBe("200 PING\n");
    const refused = await client("connect", `other.test:${echo.port}`);
    expect(refused.output).toBe(`403 quire: network: blocked CONNECT other.test:${echo.port} (not in allowlist)\n`);
    expect(echo.hits).toEqual(["connection"]);
  });

  it("allowlist: the proxy socket is the only way out", async () => {
    await open({});
    const direct = await hostTcp(web.port);
    expect(direct.exitCode).not.toBe(0);
    expect(direct.output).not.toContain("connected");
    // Only the sandbox's own loopback exists, and /run/quire holds just the bridge.
    const view = await run(["sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ls /run/quire"]);
    expect(view.output).toBe("lo\nnode\nproxy.sock\n");
    expect(web.hits).toEqual([]);
  });

  it("allowlist: the command keeps its exit code, and a missing one is 127", async () => {
    await open({});
    expect((await run(["sh", "-c", "exit 7"])).exitCode).toBe(7);
    expect((await run(["quire-no-such-command"])).exitCode).toBe(127);
  });

  it.skipIf(!hasCurl)("allowlist: curl follows the proxy variables", async () => {
    await open({});
    const result = await run(["curl", "-sS", `http://allowed.test:${web.port}/c`]);
    expect(result.output).toBe(`GET /c host=allowed.test:${web.port} body=`);
  });

  it("off: no proxy, nothing reachable", async () => {
    await open({ mode: "off" });
    expect(network?.sandbox).toEqual({ network: false });
    expect((await hostTcp(web.port)).output).not.toContain("connected");
    const view = await run(["sh", "-c", "echo ${HTTP_PROXY:-none}; test -e /run/quire && echo bridge"]);
    expect(view.output).toBe("none\n");
    expect((await hostTcp(3128)).output).not.toContain("connected");
  });

  it("on: any host the operator's rule allows, through the proxy; never the host's loopback directly", async () => {
    await open({ mode: "on" });
    expect((await hostTcp(web.port)).output).not.toContain("connected");
    // Any name, any port and method: the destination rule alone decides.
    const posted = await client("http", `http://anything.test:${web.port}/on`, "POST");
    expect(posted.output).toBe(`200 POST /on host=anything.test:${web.port} body=data\n`);
    expect(web.hits).toHaveLength(1);
  });
});

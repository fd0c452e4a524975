// A hostile model's requests against the allowlist mode: the filtering proxy outside the
// sandbox is the only way out, and it must judge by what it actually connects to. The requests
// are written raw (no client normalises them) to the in-sandbox forwarder; every upstream is a
// test server on the host's 127.0.0.1, which the test resolver maps the *.test names to.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetworkPolicy } from "../../packages/core/src/environments/types.js";
import { openAgentNetwork, type AgentNetwork } from "../../packages/core/src/network/agent-network.js";
import type { NetworkDecision } from "../../packages/core/src/network/decision.js";
import { startHttpEcho, startTcpEcho, type LocalServer } from "@quire/testing";
import { type HostLayout, makeHostLayout, sandboxFor } from "./attack-helpers.js";

let host: HostLayout;
let web: LocalServer;
let echo: LocalServer;
let network: AgentNetwork | undefined;
let decisions: NetworkDecision[];

beforeEach(async () => {
  host = makeHostLayout();
  [web, echo] = await Promise.all([startHttpEcho(), startTcpEcho()]);
  decisions = [];
});
afterEach(async () => {
  await Promise.all([network?.close(), web.close(), echo.close()]);
  network = undefined;
  host.cleanup();
});

async function open(policy: Partial<NetworkPolicy> = {}): Promise<void> {
  network = await openAgentNetwork(
    { mode: "allowlist", domains: ["allowed.test"], preset: false, methods: "safe", ...policy },
    {
      onDecision: (decision) => decisions.push(decision),
      resolve: async (name) => (name.endsWith(".test") ? "127.0.0.1" : Promise.reject(new Error("no DNS here"))),
      httpPorts: [web.port],
      connectPorts: [echo.port],
      // The test's servers stand for public hosts: only the operator opens a local address.
      outbound: { allowPrivate: [`127.0.0.1:${web.port}`, `127.0.0.1:${echo.port}`] },
    },
  );
}

/** Sends each raw request on its own connection to the proxy forwarder; prints each answer's status line. */
const RAW_CLIENT = `
const net = require("net");
const requests = process.argv.slice(1);
(async () => {
  for (const raw of requests) {
    const answer = await new Promise((resolve) => {
      let text = "";
      const c = net.connect(3128, "127.0.0.1", () => c.write(raw));
      c.on("data", (d) => { text += d; if (text.includes("\\r\\n\\r\\n") && !/^HTTP\\/1.1 200 Connection/.test(text)) c.end(); });
      const timer = setTimeout(() => c.destroy(), 1500);
      c.on("close", () => { clearTimeout(timer); resolve(text.split("\\r\\n")[0] || "no answer"); });
      c.on("error", (e) => resolve("error " + e.code));
    });
    console.log(answer);
  }
})();
`;

async function sendRaw(...requests: string[]): Promise<string[]> {
  const sandbox = sandboxFor(host, { ...network!.sandbox });
  const result = await sandbox.exec({
    argv: ["node", "-e", RAW_CLIENT, ...requests],
    cwd: host.workspace,
    timeoutMs: 15_000,
    maxOutputBytes: 64 * 1024,
  });
  return result.output.trim().split("\n");
}

const get = (target: string, headers = "") =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`;

describe("allowlist mode: bypassing the filtering proxy", () => {
  it("the control: an allowed GET goes through", async () => {
    await open();
    expect(await sendRaw(get(`http://allowed.test:${web.port}/ok`))).toEqual(["HTTP/1.1 200 OK"]);
    expect(web.hits).toEqual([`GET /ok host=allowed.test:${web.port} body=`]);
  });

  it("refuses other domains, look-alikes, userinfo and backslash tricks, and IP literals", async () => {
    await open();
    const p = web.port;
    const targets = [
      `http://evil.test:${p}/`,
      `http://allowed.test.evil.test:${p}/`,
      `http://evilallowed.test:${p}/`,
      `http://allowed.test:${p}@evil.test:${p}/`,
      `http://evil.test:${p}\\@allowed.test:${p}/`,
      `http://127.0.0.1:${p}/`,
      `http://[::1]:${p}/`,
      `http://2130706433:${p}/`,
    ];
    const answers = await sendRaw(...targets.map((target) => get(target)));
    for (const [index, answer] of answers.entries()) expect(answer, targets[index]).toMatch(/^HTTP\/1.1 (400|403) /);
    expect(answers).toHaveLength(targets.length);
    expect(web.hits).toEqual([]);
  });

  it("decides by the URL, not by a Host header naming an allowed domain", async () => {
    await open();
    const answers = await sendRaw(
      `GET http://evil.test:${web.port}/ HTTP/1.1\r\nHost: allowed.test:${web.port}\r\nConnection: close\r\n\r\n`,
      `GET /origin-form HTTP/1.1\r\nHost: allowed.test:${web.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(answers).toEqual([expect.stringMatching(/^HTTP\/1.1 403 /), expect.stringMatching(/^HTTP\/1.1 400 /)]);
    expect(web.hits).toEqual([]);
  });

  it("refuses unsafe methods in safe mode, and a tunnel that would hide them", async () => {
    await open();
    const url = `http://allowed.test:${web.port}/write`;
    const body = "Content-Length: 4\r\n";
    const answers = await sendRaw(
      ...["POST", "PUT", "DELETE", "PATCH"].map((method) => `${method} ${url} HTTP/1.1\r\nHost: x\r\n${body}\r\ndata`),
      // The plain-HTTP port through CONNECT: the POST inside would escape the method filter.
      `CONNECT allowed.test:${web.port} HTTP/1.1\r\nHost: allowed.test:${web.port}\r\n\r\nPOST /write HTTP/1.1\r\nHost: allowed.test\r\n${body}\r\ndata`,
    );
    expect(answers).toHaveLength(5);
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1.1 403 /);
    expect(web.hits).toEqual([]);
    expect(decisions.every((decision) => !decision.allowed)).toBe(true);
  });

  it("judges every request of a pipelined, kept-alive connection", async () => {
    await open();
    const allowed = `GET http://allowed.test:${web.port}/first HTTP/1.1\r\nHost: allowed.test\r\n\r\n`;
    const smuggled = `POST http://evil.test:${web.port}/second HTTP/1.1\r\nHost: allowed.test\r\nContent-Length: 0\r\n\r\n`;
    await sendRaw(allowed + smuggled);
    expect(web.hits).toEqual([`GET /first host=allowed.test:${web.port} body=`]);
  });

  it("refuses a pattern-matched domain that resolves to a private address", async () => {
    await open({ domains: ["*.allowed.test"] });
    const answers = await sendRaw(
      get(`http://internal.allowed.test:${web.port}/metadata`),
      `CONNECT internal.allowed.test:${echo.port} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1.1 403 /);
    expect(decisions.map((decision) => decision.reason)).toEqual(["private-address", "private-address"]);
    expect(web.hits).toEqual([]);
    expect(echo.hits).toEqual([]);
  });

  it("cannot go around the proxy: direct TCP, UDP and the proxy's host socket path", async () => {
    await open();
    const sandbox = sandboxFor(host, { ...network!.sandbox });
    const socketPath = network!.sandbox.proxy!.socketPath;
    const result = await sandbox.exec({
      argv: [
        "bash",
        "-c",
        `exec 3<>/dev/tcp/127.0.0.1/${web.port} && echo DIRECT; exec 4<>/dev/tcp/127.0.0.1/${echo.port} && echo DIRECT; ` +
          `echo x > /dev/udp/127.0.0.1/${web.port}; ls ${socketPath} 2>&1; ` +
          "curl -sS --noproxy '*' -m 2 http://allowed.test/ 2>&1; echo done",
      ],
      cwd: host.workspace,
      timeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
    });
    expect(result.output).toContain("done");
    expect(result.output).not.toContain("DIRECT");
    expect(result.output).toContain("No such file or directory"); // the host-side socket path is not there
    expect(web.hits).toEqual([]);
    expect(echo.hits).toEqual([]);
  });
});

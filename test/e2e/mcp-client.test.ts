/**
 * Quire's agent as an MCP client (issue 15, item 2b): a stdio MCP server declared in the
 * repository's environment.toml runs inside the task's sandbox, its tools are offered to the model
 * as SERVER__TOOL, each call is an `mcp_tool_call` item, and with the network policy off the
 * server reaches nothing. Ask mode offers only the tools the server marks read-only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";
import { useScriptedModels } from "../helpers/scripted.js";

const scriptedModel = useScriptedModels();
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/**
 * A stdio MCP server with no dependencies (newline-delimited JSON-RPC): `whoami` says where it
 * runs, `reach` tries a TCP connection, `erase` (not read-only) would change things.
 */
const PROBE_SERVER = String.raw`
const os = require("node:os");
const net = require("node:net");
const readline = require("node:readline");
const send = (message) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n");
const tools = [
  { name: "whoami", description: "Where this server runs", inputSchema: { type: "object", properties: {} }, annotations: { readOnlyHint: true } },
  { name: "reach", description: "Try a TCP connection", inputSchema: { type: "object", properties: { host: { type: "string" }, port: { type: "number" } }, required: ["host", "port"] }, annotations: { readOnlyHint: true } },
  { name: "erase", description: "Erase everything", inputSchema: { type: "object", properties: {} } },
];
function reach(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.on("connect", () => { socket.destroy(); resolve("connected to " + host + ":" + port); });
    socket.on("timeout", () => { socket.destroy(); resolve("unreachable: timeout"); });
    socket.on("error", (error) => resolve("unreachable: " + error.code));
  });
}
readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  const message = JSON.parse(line);
  if (message.method === "initialize") {
    send({ id: message.id, result: { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "probe", version: "1" } } });
  } else if (message.method === "tools/list") {
    send({ id: message.id, result: { tools } });
  } else if (message.method === "tools/call") {
    const { name, arguments: args } = message.params;
    const text = name === "whoami" ? "host " + os.hostname() + " cwd " + process.cwd() + " uid " + process.getuid()
      : name === "reach" ? await reach(args.host, args.port) : "erased";
    send({ id: message.id, result: { content: [{ type: "text", text }] } });
  } else if (message.id !== undefined) {
    send({ id: message.id, error: { code: -32601, message: "no such method" } });
  }
});
`;

const ENVIRONMENT = `[mcp_servers.probe]\ncommand = "node"\nargs = ["mcp-probe.js"]\n`;

/** A server on the host: the MCP server inside the sandbox must not reach it. */
async function hostListener(): Promise<number> {
  const server = http.createServer((_request, response) => response.end("host"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

it("runs a stdio MCP server inside the sandbox, without network, and records each call", async () => {
  const port = await hostListener();
  const model = await scriptedModel([
    {
      toolCalls: [
        { name: "probe__whoami", arguments: {} },
        { name: "probe__reach", arguments: { host: "127.0.0.1", port } },
      ],
    },
    { text: "Probed." },
  ]);
  const repo = makeRepo({ "mcp-probe.js": PROBE_SERVER, ".quire/environment.toml": ENVIRONMENT });
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "probe it"], {
    cwd: repo,
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code, run.stderr).toBe(0);

  const offered = (model.requests[0]!.body as { tools: { name: string }[] }).tools.map((tool) => tool.name);
  expect(offered).toEqual(expect.arrayContaining(["probe__whoami", "probe__reach", "probe__erase"]));

  const calls = run.events.flatMap((event) =>
    event.type === "item.completed" && event.item.type === "mcp_tool_call" ? [event.item] : [],
  );
  expect(calls.map((call) => [call.server, call.tool, call.status])).toEqual([
    ["probe", "whoami", "completed"],
    ["probe", "reach", "completed"],
  ]);
  expect(calls[1]!.arguments).toEqual({ host: "127.0.0.1", port });
  expect(calls[1]!.error).toBeNull();
  const [whoami, reached] = calls.map((call) => (call.result!.content[0] as { text: string }).text);
  // Inside the sandbox: its host name, the workspace's neutral path, the sandbox's user.
  expect(whoami).toBe("host quire-sandbox cwd /workspace uid 1000");
  // The network policy is off: the sandbox's own loopback, not the host's listener.
  expect(reached).toMatch(/^unreachable: /);
  const started = run.events.filter((event) => event.type === "item.started" && event.item.type === "mcp_tool_call");
  expect(started).toHaveLength(2);
  // The model got the results as the calls' outputs.
  expect(requestText(model.requests[1]!)).toContain("host quire-sandbox cwd /workspace");
});

it("offers only the server's read-only tools in ask mode", async () => {
  const model = await scriptedModel([{ text: "Looked." }]);
  const repo = makeRepo({ "mcp-probe.js": PROBE_SERVER, ".quire/environment.toml": ENVIRONMENT });
  const run = await runQuire(["exec", "--json", "--mode", "ask", "--provider", "openai", "-m", "m", "look"], {
    cwd: repo,
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code, run.stderr).toBe(0);
  const offered = (model.requests[0]!.body as { tools: { name: string }[] }).tools.map((tool) => tool.name);
  expect(offered).toEqual(expect.arrayContaining(["probe__whoami", "probe__reach"]));
  expect(offered).not.toContain("probe__erase");
});

// An environment's MCP server named by URL (`[mcp_servers.NAME] url = …`) is connected to by
// Quire itself, on the host, not from the sandbox. An environment is a member's (or a
// repository's own file), so the URL must not take Quire's process to the host's loopback
// services, its other addresses or cloud metadata, nor echo what they answered: only public
// destinations, and what the operator's config.toml `[outbound] allow_private` names.
import { createServer, type Server } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_NETWORK_POLICY } from "../../packages/core/src/environments/defaults.js";
import type { NetworkPolicy } from "../../packages/core/src/environments/types.js";
import { connectMcpServers } from "../../packages/core/src/mcp/servers.js";
import { createNoneSandbox } from "../../packages/core/src/sandbox/none.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const HOST_SECRET = "host-only-answer-7f3a";

/** Listens on every address of this machine. `mcp`: a real MCP server; else a service answering HOST_SECRET. */
async function listen(mcp: boolean): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    if (!mcp) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`${HOST_SECRET} ${"x".repeat(100_000)}`);
      return;
    }
    const tools = new McpServer({ name: "probe", version: "1" });
    tools.registerTool("ping", { description: "answers pong" }, () => ({ content: [{ type: "text", text: "pong" }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close());
    void tools.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "::", ipv6Only: false }, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, hits: () => hits };
}

const network = (mode: NetworkPolicy["mode"], domains: string[] = []): NetworkPolicy => ({
  ...DEFAULT_NETWORK_POLICY,
  mode,
  domains,
  methods: "all",
  preset: false,
});

async function connect(servers: Record<string, string>, policy: NetworkPolicy, allowPrivate: string[] = []) {
  const problems: string[] = [];
  const connections = await connectMcpServers({
    servers: Object.fromEntries(Object.entries(servers).map(([name, url]) => [name, { url }])),
    sandbox: createNoneSandbox({ workspace: "/tmp", writable: false, network: false }),
    cwd: "/tmp",
    mode: "code",
    network: policy,
    outbound: { allowPrivate },
    onProblem: (message) => problems.push(message),
  });
  cleanups.push(() => connections.close());
  return { tools: connections.tools.map((tool) => tool.name), problems };
}

describe("MCP servers named by URL", () => {
  it("never reach the host's own services, and never echo what those would answer", async () => {
    const host = await listen(false);
    const urls = {
      loopback: `http://127.0.0.1:${host.port}/mcp`,
      name: `http://localhost:${host.port}/mcp`,
      v6: `http://[::1]:${host.port}/mcp`,
      mapped: `http://[::ffff:127.0.0.1]:${host.port}/mcp`,
      metadata: "http://169.254.169.254/latest/meta-data/",
    };
    const { mapped: _mapped, ...named } = urls;
    // With the network "on", and with an allowlist naming each of those hosts.
    for (const [policy, servers] of [
      [network("on"), urls],
      [network("allowlist", ["127.0.0.1", "localhost", "::1", "169.254.169.254"]), named],
    ] as const) {
      const { tools, problems } = await connect(servers, policy);
      expect(tools).toEqual([]);
      expect(problems).toHaveLength(Object.keys(servers).length);
      for (const problem of problems) {
        expect(problem).toMatch(/not a public address/);
        expect(problem).not.toContain(HOST_SECRET);
      }
    }
    expect(host.hits()).toBe(0);
  }, 60_000);

  it("reach a local server the operator allowed (the control), with bounded problems otherwise", async () => {
    const mcp = await listen(true);
    const allowed = await connect({ probe: `http://127.0.0.1:${mcp.port}/mcp` }, network("on"), [
      `127.0.0.1:${mcp.port}`,
    ]);
    expect(allowed.problems).toEqual([]);
    expect(allowed.tools).toEqual(["probe__ping"]);

    // A server the operator allowed that answers with an error page: said, in a bounded line.
    const failing = await listen(false);
    const refused = await connect({ failing: `http://127.0.0.1:${failing.port}/mcp` }, network("on"), [
      `127.0.0.1:${failing.port}`,
    ]);
    expect(refused.tools).toEqual([]);
    expect(refused.problems).toHaveLength(1);
    expect(refused.problems[0]!.length).toBeLessThan(1_000);
  }, 60_000);
});

import { describe, expect, it } from "vitest";
import { DEFAULT_NETWORK_POLICY } from "../environments/defaults.js";
import { createNoneSandbox } from "../sandbox/none.js";
import { boundText } from "./call-tool.js";
import { connectMcpServers, qualifiedToolName, urlServerRefusal } from "./servers.js";

const policy = (mode: "off" | "allowlist" | "on", domains: string[] = []) => ({
  ...DEFAULT_NETWORK_POLICY,
  mode,
  domains,
  preset: false,
});

describe("MCP servers", () => {
  it("reach a URL server only when the network policy allows its host", () => {
    const url = "https://mcp.tracker.example.com/mcp";
    expect(urlServerRefusal(url, policy("on"))).toBeNull();
    expect(urlServerRefusal(url, policy("allowlist", ["*.example.com"]))).toBeNull();
    expect(urlServerRefusal(url, policy("allowlist", ["other.example.org"]))).toMatch(
      /its host mcp.tracker.example.com is not allowed by the environment's network policy \(mode allowlist\)/,
    );
    expect(urlServerRefusal(url, policy("off"))).toMatch(/mode off/);
  });

  it("say why a server is not used, and the task goes on", async () => {
    const problems: string[] = [];
    const connections = await connectMcpServers({
      servers: {
        tracker: { url: "https://mcp.tracker.example.com/mcp" },
        local: { command: "node", args: [], env: {} },
      },
      sandbox: createNoneSandbox({ workspace: "/tmp", writable: false, network: false }),
      cwd: "/tmp",
      mode: "code",
      network: policy("off"),
      onProblem: (message) => problems.push(message),
    });
    expect(connections.tools).toEqual([]);
    expect(problems).toEqual([
      "MCP server tracker is not used: its host mcp.tracker.example.com is not allowed by the environment's network policy (mode off)",
      "MCP server local is not used: the none sandbox cannot run stdio MCP servers yet",
    ]);
    await connections.close();
  });

  it("name tools SERVER__TOOL in the characters providers accept, and bound their output", () => {
    expect(qualifiedToolName("docs", "search")).toBe("docs__search");
    expect(qualifiedToolName("docs", "read.file/v2")).toBe("docs__read_file_v2");
    expect(qualifiedToolName("d", "x".repeat(100))).toHaveLength(64);
    const bounded = boundText("a".repeat(100) + "b".repeat(100), 50);
    expect(bounded).toBe(`${"a".repeat(25)}\n… 150 bytes omitted …\n${"b".repeat(25)}`);
  });
});

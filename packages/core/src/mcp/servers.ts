/**
 * An environment's MCP servers for one task round: each connected with the MCP SDK's client, its
 * tools offered to the model as `SERVER__TOOL`, each call an `mcp_tool_call` item in the shape of
 * `codex exec --json`, its result bounded like a command's output.
 *
 * Stdio servers run inside the task's sandbox (sandbox.spawnStdio): its mounts, its network policy
 * and its limits. URL servers are reached only when the network policy allows their host (mode
 * "on", or "allowlist" naming it), and, since Quire connects to them from the host, only at an
 * address the destination rule allows (public, or the operator's `[outbound] allow_private`), with
 * no redirect followed and their answers bounded (network/destination-fetch.ts). Their `env` has only the plain values the environment file
 * gives: secrets reach neither the agent phase nor its MCP servers. Ask mode offers only the tools
 * a server marks read-only (annotations.readOnlyHint).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { z } from "zod";
import type { McpServerDefinition, NetworkPolicy } from "../environments/types.js";
import { destinationFetch } from "../network/destination-fetch.js";
import { matchHost } from "../network/host-rules.js";
import { DestinationRule, type OutboundAllowance } from "../network/operator-allowance.js";
import type { Sandbox } from "../sandbox/types.js";
import type { TaskMode, Tool } from "../tools/types.js";
import { ChildProcessTransport } from "./child-transport.js";
import { mcpCallTool } from "./call-tool.js";

const CONNECT_TIMEOUT_MS = 30_000;
/** Tools taken from one server: a server listing thousands would fill the model's context. */
const MAX_TOOLS_PER_SERVER = 64;

export interface McpConnections {
  tools: Tool[];
  close(): Promise<void>;
}

export interface McpConnectOptions {
  servers: Record<string, McpServerDefinition>;
  sandbox: Sandbox;
  /** Where a stdio server starts: the task's working directory. */
  cwd: string;
  mode: TaskMode;
  network: NetworkPolicy;
  /** Private destinations the operator allows (config.toml `[outbound]`); none by default. */
  outbound?: OutboundAllowance;
  /** A server that could not be used is said, and the task goes on without it. */
  onProblem(message: string): void;
}

/** Why a URL server may not be reached under the agent phase's network policy, or null. */
export function urlServerRefusal(url: string, network: NetworkPolicy): string | null {
  if (network.mode === "on") return null;
  const host = new URL(url).hostname;
  if (network.mode === "allowlist" && matchHost(host, network)) return null;
  return `its host ${host} is not allowed by the environment's network policy (mode ${network.mode})`;
}

function transportFor(name: string, server: McpServerDefinition, options: McpConnectOptions): Transport | string {
  if ("url" in server) {
    const refusal = urlServerRefusal(server.url, options.network);
    if (refusal) return refusal;
    const fetch = destinationFetch(new DestinationRule(options.outbound));
    return new StreamableHTTPClientTransport(new URL(server.url), { fetch });
  }
  if (!options.sandbox.spawnStdio) {
    return `the ${options.sandbox.backend} sandbox cannot run stdio MCP servers yet`;
  }
  const child = options.sandbox.spawnStdio({
    argv: [server.command, ...server.args],
    cwd: options.cwd,
    env: server.env,
  });
  return new ChildProcessTransport(child);
}

export async function connectMcpServers(options: McpConnectOptions): Promise<McpConnections> {
  const clients: Client[] = [];
  const tools: Tool[] = [];
  for (const [name, server] of Object.entries(options.servers)) {
    const transport = transportFor(name, server, options);
    if (typeof transport === "string") {
      options.onProblem(`MCP server ${name} is not used: ${transport}`);
      continue;
    }
    const client = new Client({ name: "quire", version: "1" });
    try {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
      const listed = await client.listTools(undefined, { timeout: CONNECT_TIMEOUT_MS });
      clients.push(client);
      for (const tool of listed.tools.slice(0, MAX_TOOLS_PER_SERVER)) {
        // Ask mode changes nothing: only what the server says is read-only.
        if (options.mode !== "code" && tool.annotations?.readOnlyHint !== true) continue;
        tools.push(mcpTool(client, name, tool));
      }
    } catch (error) {
      const why = transport instanceof ChildProcessTransport ? transport.why() : "";
      // What the server answered is in the message: bounded, as it is the server's to choose.
      options.onProblem(`MCP server ${name} is not used: ${bounded((error as Error).message)}${why}`);
      await client.close().catch(() => undefined);
    }
  }
  return {
    tools,
    close: async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    },
  };
}

const MAX_PROBLEM_CHARS = 500;

function bounded(text: string): string {
  return text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, MAX_PROBLEM_CHARS)}… (cut)`;
}

/** `SERVER__TOOL`, in the characters every provider accepts for a function name, at most 64. */
export function qualifiedToolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}

interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

function mcpTool(client: Client, server: string, listed: ListedTool): Tool {
  return {
    name: qualifiedToolName(server, listed.name),
    description: `${listed.description ?? listed.name} (MCP server ${server})`.slice(0, 1024),
    schema: z.record(z.string(), z.unknown()),
    parameters: { ...listed.inputSchema, type: "object" },
    // The schema above checked it is an object.
    run: (args, context) =>
      mcpCallTool(client, { server, tool: listed.name, args: args as Record<string, unknown> }, context),
  };
}

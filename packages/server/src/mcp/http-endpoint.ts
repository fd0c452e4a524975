/**
 * `/mcp` on `quire serve`: Quire's MCP tools over streamable HTTP (stateless: each POST is answered
 * by a fresh MCP server, so any process behind one address can take it). The route sits behind
 * the API's authentication (a token, or a session with its CSRF token; single-user mode: the local
 * owner), and the tools call the API in this process with the caller's own credentials, so scopes,
 * workspaces, plans and the audit log apply to them exactly as to the caller's own requests.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Context, Hono } from "hono";
import { QuireApiClient } from "../client/api-client.js";
import { registerQuireTools } from "./tools.js";

export const MCP_SERVER_INFO = { name: "quire", version: "0.1.0" };

/** What the API's authentication reads from a request: forwarded as they came. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "x-csrf-token", "x-quire-workspace", "origin", "sec-fetch-site"];

/** Answers one MCP request (any method: the SDK's transport says what each one means). */
export function mcpHandler(app: Hono): (c: Context) => Promise<Response> {
  return async (c) => {
    const server = new McpServer(MCP_SERVER_INFO);
    registerQuireTools(server, inProcessClient(app, c));
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // JSON answers are complete here: nothing of this request's server outlives it.
      await server.close();
    }
  };
}

function inProcessClient(app: Hono, c: Context): QuireApiClient {
  const headers: Record<string, string> = {};
  for (const name of CREDENTIAL_HEADERS) {
    const value = c.req.header(name);
    if (value !== undefined) headers[name] = value;
  }
  return new QuireApiClient({
    server: new URL(c.req.url).origin,
    headers,
    fetch: async (input, init) => app.fetch(new Request(input, init), c.env),
  });
}

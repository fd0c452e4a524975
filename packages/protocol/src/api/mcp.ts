/**
 * `/mcp`: the Model Context Protocol's streamable HTTP transport (JSON-RPC 2.0). Quire answers in
 * JSON (no SSE), statelessly; the tools' own inputs and outputs are MCP's business and described by
 * the server's `tools/list`, so the contract only pins the JSON-RPC envelope.
 */
import { z } from "zod";

export const jsonRpcMessage = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number(), z.null()]).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: "JsonRpcMessage" });

/** A request, a notification or a batch of them; the answer has the same form. */
export const mcpMessages = z.union([jsonRpcMessage, z.array(jsonRpcMessage)]);

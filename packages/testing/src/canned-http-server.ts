/**
 * A real HTTP server that answers each request with the next canned response, byte for byte.
 * For wire variants the scripted model server does not produce (an SSE error event, a server
 * that sends no usage, another server's field names); prefer the scripted server otherwise.
 */
import { createServer } from "node:http";
import { listenLocally } from "./listen-locally.js";

export interface CannedResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export interface CannedHttpServer {
  /** Base URL including `/v1`; any path is answered. */
  url: string;
  /** Request bodies received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

/** Builds an SSE body from events given as `[eventName | null, data]`; objects are JSON-encoded. */
export function sse(...events: [event: string | null, data: unknown][]): string {
  return events
    .map(
      ([event, data]) =>
        `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
    )
    .join("");
}

export async function startCannedHttpServer(responses: CannedResponse[]): Promise<CannedHttpServer> {
  const bodies: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const index = bodies.push(Buffer.concat(chunks).toString("utf8")) - 1;
    const response = responses[index];
    if (!response) {
      res.writeHead(500, { "x-should-retry": "false" }).end(`no canned response for request #${index}`);
      return;
    }
    res.writeHead(response.status ?? 200, { "content-type": "text/event-stream", ...response.headers });
    res.end(response.body);
  });
  const listener = await listenLocally(server);
  return { url: `${listener.origin}/v1`, bodies, close: listener.close };
}

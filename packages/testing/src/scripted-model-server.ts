/**
 * A real HTTP server on 127.0.0.1 that plays a scripted model in the three wire formats Quire
 * speaks (OpenAI Responses, Chat Completions, Anthropic Messages), streamed or not, so tests run
 * the real provider code over real sockets. Each request consumes the next scripted reply.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLocally } from "./listen-locally.js";
import type { RecordedRequest, ScriptedRoute } from "./recorded-request.js";
import { field, formatFrame, planReply, type ScriptedReply, type SseFrame, type WireFormat } from "./scripted-reply.js";
import { chatWire } from "./scripted-wire-chat.js";
import { messagesWire } from "./scripted-wire-messages.js";
import { responsesWire } from "./scripted-wire-responses.js";

export type { RecordedRequest, ScriptedRoute } from "./recorded-request.js";
export { chatBody, messagesBody, responsesBody } from "./recorded-request.js";
export type { ScriptedFault, ScriptedReply, ScriptedToolCall, ScriptedUsage } from "./scripted-reply.js";

export type Script = ScriptedReply[] | ((request: RecordedRequest, index: number) => ScriptedReply);

export interface ScriptedModelServer {
  /** Base URL including `/v1`, for OPENAI_BASE_URL / ANTHROPIC_BASE_URL. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const WIRES: Record<ScriptedRoute, WireFormat> = { responses: responsesWire, chat: chatWire, messages: messagesWire };

/** What a "cut" fault starts to send before the socket is destroyed. */
const CUT_REPLY: ScriptedReply = { text: "This answer is cut off before it ends." };

function routeOf(method: string | undefined, url: string | undefined): ScriptedRoute | undefined {
  if (method !== "POST") return undefined;
  const path = new URL(url ?? "/", "http://localhost").pathname.replace(/^\/v1(?=\/)/, "");
  if (path === "/responses") return "responses";
  if (path === "/chat/completions") return "chat";
  if (path === "/messages") return "messages";
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
function waitUnlessClosed(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(true);
    }, ms);
    res.once("close", onClose);
  });
}

function sendError(
  res: ServerResponse,
  wire: WireFormat,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(wire.error(status, message)));
}

/** Writes roughly the first half of `payload`, then destroys the socket once that has been flushed. */
function cut(res: ServerResponse, payload: string): void {
  res.write(payload.slice(0, Math.max(1, Math.floor(payload.length / 2))), () => res.destroy());
}

/** Half of the text, when it is to be garbage: what a broken proxy or server might send. */
function garbled(text: string, garbage: boolean): string {
  return garbage ? text.slice(0, Math.floor(text.length / 2)) : text;
}

/**
 * The SSE frames; with garbage, the stream ends with its first event after the opening one that a
 * client parses (not a ping), its JSON cut in half.
 */
function streamPayload(frames: SseFrame[], garbage: boolean): string {
  if (!garbage) return frames.map(formatFrame).join("");
  const at = Math.max(
    0,
    frames.findIndex((frame, index) => index > 0 && frame.event !== "ping"),
  );
  const broken = frames[at];
  if (!broken) return "";
  return [...frames.slice(0, at), { ...broken, data: garbled(broken.data, true) }].map(formatFrame).join("");
}

/** Sends a scripted reply (or its fault) in the route's wire format, streamed if the request asked. */
function answer(
  res: ServerResponse,
  wire: WireFormat,
  reply: ScriptedReply,
  request: { body: unknown; index: number; rawBytes: number },
): void {
  const { fault } = reply;
  if (fault?.kind === "status") {
    const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter };
    if (fault.body === undefined) {
      sendError(res, wire, fault.status, `scripted ${fault.status} error`, headers);
    } else {
      res.writeHead(fault.status, { "content-type": "application/json", ...headers }).end(fault.body);
    }
    return;
  }
  const model = field(request.body, "model");
  const plan = planReply(fault?.kind === "cut" ? CUT_REPLY : reply, {
    index: request.index,
    model: typeof model === "string" ? model : "scripted-model",
    rawBytes: request.rawBytes,
    toolIdPrefix: wire.toolIdPrefix,
  });
  const streaming = field(request.body, "stream") === true;
  const payload = streaming
    ? streamPayload(wire.stream(plan, request.body), fault?.kind === "garbage")
    : garbled(JSON.stringify(wire.json(plan, request.body)), fault?.kind === "garbage");
  res.writeHead(200, {
    "content-type": streaming ? "text/event-stream" : "application/json",
    ...(streaming ? { "cache-control": "no-cache" } : {}),
  });
  if (fault?.kind === "cut") cut(res, payload);
  else res.end(payload);
}

export async function startScriptedModelServer(script: Script): Promise<ScriptedModelServer> {
  const requests: RecordedRequest[] = [];

  const nextReply = (request: RecordedRequest, index: number): ScriptedReply | undefined =>
    Array.isArray(script) ? script[index] : script(request, index);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = routeOf(req.method, req.url);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`no scripted route for ${req.method} ${req.url}`);
      return;
    }
    const wire = WIRES[route];
    const raw = await readBody(req);
    const rawText = raw.toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(rawText);
    } catch {
      sendError(res, wire, 400, "request body is not JSON");
      return;
    }
    const recorded: RecordedRequest = { route, body, rawText, rawBytes: raw.length, headers: req.headers };
    const index = requests.push(recorded) - 1;
    let reply: ScriptedReply | undefined;
    try {
      reply = nextReply(recorded, index);
    } catch (error) {
      const message = `script threw on request #${index}: ${error instanceof Error ? error.message : String(error)}`;
      sendError(res, wire, 500, message, { "x-should-retry": "false" });
      return;
    }
    if (!reply) {
      // x-should-retry: false makes clients fail at once instead of retrying a 500.
      sendError(res, wire, 500, `script exhausted: no reply for request #${index} (${route})`, {
        "x-should-retry": "false",
      });
      return;
    }
    if (reply.delayMs && !(await waitUnlessClosed(reply.delayMs, res))) return;

    answer(res, wire, reply, { body, index, rawBytes: raw.length });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain", "x-should-retry": "false" });
      res.end(`scripted model server failed: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });
  const listener = await listenLocally(server);
  return { url: `${listener.origin}/v1`, requests, close: listener.close };
}

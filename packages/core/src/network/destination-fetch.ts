/**
 * A `fetch` for clients Quire runs on the host on behalf of an environment (an MCP server named
 * by URL): it connects only to destinations the rule allows (public addresses, plus what the
 * operator's `[outbound] allow_private` names), checked on the address it connects to, follows no
 * redirect, and bounds what it reads of an answer, so a member's URL can neither reach the host's
 * services nor make the host hold an unbounded answer.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { checkedLookup, DESTINATION_REFUSED, portOf, refusedLiteral } from "./checked-lookup.js";
import type { DestinationRule } from "./operator-allowance.js";

/** Bytes read of a successful answer (an event stream ends there), and of a failed one. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const MAX_ERROR_ANSWER_BYTES = 4 * 1024;

const refusal = (host: string): string =>
  `${host} is not a public address, and the operator's config.toml [outbound] allow_private does not name it`;

/**
 * The answer's body as a web stream of at most `max` bytes: past that it ends, and the answer is
 * no longer read. Bounded, so the lack of backpressure costs at most `max` bytes.
 */
function boundedBody(answer: IncomingMessage, max: number): ReadableStream<Uint8Array> {
  let passed = 0;
  let closed = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const close = (): void => {
        if (closed) return;
        closed = true;
        controller.close();
      };
      answer.on("data", (chunk: Buffer) => {
        if (closed) return;
        const room = max - passed;
        passed += chunk.length;
        controller.enqueue(new Uint8Array(room >= chunk.length ? chunk : chunk.subarray(0, room)));
        if (passed >= max) {
          close();
          answer.destroy();
        }
      });
      answer.on("end", close);
      answer.on("error", (error) => {
        if (closed) return;
        closed = true;
        controller.error(error);
      });
    },
    cancel() {
      closed = true;
      answer.destroy();
    },
  });
}

function bodyOf(body: RequestInit["body"]): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return body.toString();
  throw new Error("destinationFetch: only string and byte bodies are supported");
}

export function destinationFetch(
  rule: DestinationRule,
): (input: string | URL, init?: RequestInit) => Promise<Response> {
  return (input, init = {}) => {
    const target = new URL(String(input));
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      return Promise.reject(new Error(`${target.protocol} URLs are not fetched`));
    }
    const secure = target.protocol === "https:";
    const port = portOf(target);
    if (refusedLiteral(target, rule)) {
      return Promise.reject(Object.assign(new Error(refusal(target.host)), { code: DESTINATION_REFUSED }));
    }
    const method = (init.method ?? "GET").toUpperCase();
    return new Promise<Response>((resolve, reject) => {
      const request = (secure ? https : http).request(target, {
        method,
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        lookup: checkedLookup(rule, port, refusal),
        ...(init.signal ? { signal: init.signal } : {}),
      });
      request.on("response", (answer) => {
        const code = answer.statusCode ?? 0;
        const status = code >= 200 && code <= 599 ? code : 502;
        const headers = new Headers();
        for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
          headers.append(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
        }
        const empty = method === "HEAD" || [101, 204, 205, 304].includes(status);
        if (empty) answer.resume();
        const limit = status >= 200 && status < 300 ? MAX_ANSWER_BYTES : MAX_ERROR_ANSWER_BYTES;
        const body = empty ? null : boundedBody(answer, limit);
        resolve(new Response(body, { status, statusText: answer.statusMessage ?? "", headers }));
      });
      request.on("error", reject);
      request.end(bodyOf(init.body));
    });
  };
}

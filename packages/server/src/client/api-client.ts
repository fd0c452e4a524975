/**
 * A client of Quire's HTTP API (docs/server.md), for the remote `quire` commands and the MCP
 * tools. Every refusal becomes an `ApiError` whose message is one line a person can act on
 * (401, 404, a 429 with its limit and reset time); the task event stream is in event-stream.ts.
 */

/** How requests are sent: `fetch` over the network, or a Hono app's `fetch` in the same process. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:7420`. */
  server: string;
  /** An API token (`quire_…`), sent as `Authorization: Bearer`; none for a single-user server. */
  token?: string;
  /** Extra headers sent with every request (the MCP endpoint forwards its caller's credentials). */
  headers?: Record<string, string>;
  fetch?: FetchLike;
}

interface ErrorBody {
  error?: { message?: string; limit?: string; used?: number; max?: number | null; resetAt?: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The most of an error body read: a misbehaving server cannot make the client hold more. */
const MAX_ERROR_BYTES = 64 * 1024;

export class QuireApiClient {
  readonly server: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: ApiClientOptions) {
    this.server = options.server.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** A JSON request; resolves to the parsed answer of a 2xx, throws `ApiError` otherwise. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return (await response.json()) as T;
  }

  /** A text answer (a diff), at most `maxBytes` of it when given (then `truncated` says so). */
  async text(path: string, maxBytes?: number): Promise<{ text: string; bytes: number | null; truncated: boolean }> {
    const response = await this.send("GET", path);
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (maxBytes === undefined) {
      const text = await response.text();
      return { text, bytes: Buffer.byteLength(text), truncated: false };
    }
    const { bytes, truncated } = await readAtMost(response, maxBytes);
    const text = new TextDecoder().decode(bytes).replace(/\uFFFD$/, "");
    return { text, bytes: Number.isFinite(declared) ? declared : null, truncated };
  }

  /** The raw response of a 2xx (the event stream reads it as it comes); throws `ApiError` otherwise. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    extra: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.options.headers, ...extra.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.server}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: extra.signal,
      });
    } catch (error) {
      if (extra.signal?.aborted) throw error;
      throw new ApiError(0, `cannot reach the server at ${this.server}: ${networkReason(error)}`);
    }
    if (response.ok) return response;
    throw new ApiError(response.status, await refusalLine(response));
  }
}

/** One line for a refused request: the server's own words, with what to do where that helps. */
async function refusalLine(response: Response): Promise<string> {
  const { bytes } = await readAtMost(response, MAX_ERROR_BYTES);
  let body: ErrorBody = {};
  try {
    body = JSON.parse(new TextDecoder().decode(bytes)) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const said = oneLine(body.error?.message ?? response.statusText ?? "no reason given");
  const status = response.status;
  if (status === 401) {
    return `401 ${said} (set QUIRE_TOKEN, or run \`quire login --server URL\`)`;
  }
  if (status === 429 || (status === 403 && body.error?.limit)) {
    const error = body.error ?? {};
    const parts = [
      error.limit ? `limit ${error.limit}` : null,
      error.used !== undefined && error.max !== undefined ? `${error.used} of ${error.max ?? "unlimited"} used` : null,
      error.resetAt ? `resets at ${error.resetAt}` : null,
    ].filter(Boolean);
    const retry = response.headers.get("retry-after");
    if (retry) parts.push(`retry in ${retry} s`);
    return `${status} ${said}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
  }
  return `${status} ${said}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 1000);
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Reads a body up to `max` bytes, then stops reading (the rest is never buffered). */
async function readAtMost(response: Response, max: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      chunks.push(value.subarray(0, max - size));
      size = max;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

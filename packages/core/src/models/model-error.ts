/**
 * Errors of model calls, and the one place that decides which SDK failures are worth a retry.
 * Both SDKs run with `maxRetries: 0`, so every failure reaches us and `toModelError` classifies it.
 */
import type { ProviderName } from "./types.js";

/** The shape both SDKs give their HTTP errors. */
interface SdkApiError extends Error {
  status?: number;
  headers?: Headers;
  type?: string | null;
  /** Anthropic only: the readable part of the error body. */
  apiMessage?: string | null;
}

/**
 * The error classes of the SDK a provider uses. Passed in (not imported here) so that loading
 * the model layer does not load both SDKs: only the chosen provider's is ever imported.
 */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => SdkApiError;
  APIConnectionError: abstract new (...args: never[]) => Error;
}

export class ModelError extends Error {
  override readonly name = "ModelError";
  /** HTTP status of the failed response, when there was one. */
  readonly status?: number;
  readonly retryable: boolean;
  /** How long the server asked us to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Thrown when the request's AbortSignal fires; never retried. */
export class AbortError extends Error {
  override readonly name = "AbortError";
  constructor(reason?: unknown) {
    super("The model request was aborted", { cause: reason });
  }
}

/** Longest wait we accept from a Retry-After header; a server asking for more is treated as this. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date), capped. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const millis = Number(headers?.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(millis) && millis >= 0) return Math.min(millis, MAX_RETRY_AFTER_MS);
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

const KEY_VARIABLE: Record<ProviderName, string> = {
  openai: "OPENAI_API_KEY",
  "openai-chat": "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
};

/** Error types/codes that servers put in a streamed error event for transient conditions. */
const TRANSIENT_ERROR_CODES = new Set([
  "server_error",
  "internal_error",
  "api_error",
  "overloaded_error",
  "rate_limit_exceeded",
  "rate_limit_error",
  "slow_down",
]);

/** A failure reported inside a stream (Responses `response.failed`/`error`, or an SSE error event). */
export function streamFailure(provider: ProviderName, code: string | null | undefined, message: string): ModelError {
  const retryable = code != null && TRANSIENT_ERROR_CODES.has(code);
  return new ModelError(`${provider} reported an error${code ? ` (${code})` : ""}: ${message}`, { retryable });
}

/** Socket-level error codes that mean the connection dropped, so the call is worth repeating. */
const CONNECTION_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

function isDroppedConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
    // undici reports a body cut off mid-way as `TypeError: terminated`.
    if (e instanceof TypeError && e.message === "terminated") return true;
  }
  return false;
}

function describeStatus(provider: ProviderName, status: number, serverMessage: string): string {
  if (status === 401) {
    return `${provider} rejected the API key (401): ${serverMessage}. Check ${KEY_VARIABLE[provider]}.`;
  }
  if (status === 403) {
    return `${provider} refused access (403): ${serverMessage}. Check that the key in ${KEY_VARIABLE[provider]} may use this model.`;
  }
  if (status === 404) return `${provider} answered 404 (wrong base URL or model name?): ${serverMessage}`;
  return `${provider} answered ${status}: ${serverMessage}`;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Turns whatever an attempt threw into a ModelError that says whether to retry. */
export function toModelError(
  error: unknown,
  provider: ProviderName,
  baseUrl: string,
  sdk?: SdkErrorClasses,
): ModelError {
  if (error instanceof ModelError) return error;
  if (sdk && error instanceof sdk.APIConnectionError) {
    return new ModelError(`Could not reach ${provider} at ${baseUrl}: ${error.message}`, {
      retryable: true,
      cause: error,
    });
  }
  if (sdk && error instanceof sdk.APIError) {
    const status = error.status;
    if (status === undefined) {
      // An error event inside an SSE stream: both SDKs put the error's type in `type`.
      return streamFailure(provider, error.type, error.message);
    }
    // The official SDKs honour this header; the scripted server uses it to fail fast.
    const shouldRetry = error.headers?.get("x-should-retry");
    const retryable = shouldRetry ? shouldRetry === "true" : isRetryableStatus(status);
    const retryAfterMs = parseRetryAfter(error.headers);
    // Anthropic's SDK puts the whole error body in `message`; its `apiMessage` is the readable part.
    const said = error.apiMessage || error.message.replace(/^\d{3}\s*/, "");
    const message = describeStatus(provider, status, said);
    return new ModelError(message, {
      status,
      retryable,
      cause: error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (error instanceof SyntaxError) {
    // The SDKs parse each streamed event (or the body) with JSON.parse and let its error through.
    return new ModelError(
      `the model's reply could not be read: ${provider} at ${baseUrl} sent data that is not valid JSON (${error.message})`,
      { retryable: false, cause: error },
    );
  }
  if (isDroppedConnection(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new ModelError(`The connection to ${provider} dropped mid-response: ${detail}`, {
      retryable: true,
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ModelError(`${provider} call failed: ${detail}`, { retryable: false, cause: error });
}

/**
 * Our retry loop around one whole streamed model call. The SDKs' own retries are off
 * (`maxRetries: 0`) so that a stream dropped half-way is retried the same way as a 429, and so
 * that the behaviour is ours to test.
 *
 * A retried call streams again from the start: consumers of `onEvent` should discard the partial
 * text they have seen when a `retrying` event arrives.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AbortError, type ModelError, type SdkErrorClasses, toModelError } from "./model-error.js";
import type { ModelStreamEvent, ProviderName } from "./types.js";

export { AbortError, ModelError, parseRetryAfter, toModelError } from "./model-error.js";

export const DEFAULT_MAX_RETRIES = 5;
export const RETRY_BASE_DELAY_MS = 500;
export const RETRY_MAX_DELAY_MS = 30_000;

export interface RetryOptions {
  provider: ProviderName;
  /** Named in connection error messages. */
  baseUrl: string;
  /** Retries after the first attempt. */
  maxRetries: number;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: ModelStreamEvent) => void) | undefined;
  /** The provider SDK's error classes, to classify its HTTP and connection errors. */
  sdkErrors?: SdkErrorClasses;
  /** Source of jitter; tests may pin it. */
  random?: () => number;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^retry)). */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** retry));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal } = options;
  for (let retry = 0; ; retry++) {
    throwIfAborted(signal);
    let error: ModelError;
    try {
      return await attempt();
    } catch (thrown) {
      // An aborted request surfaces from the SDKs in several shapes (or as a silently ended stream).
      throwIfAborted(signal);
      error = toModelError(thrown, options.provider, options.baseUrl, options.sdkErrors);
    }
    if (!error.retryable || retry >= options.maxRetries) throw error;
    const delayMs = error.retryAfterMs ?? backoffDelay(retry, options.random);
    options.onEvent?.({ type: "retrying", attempt: retry + 1, delayMs, reason: error.message });
    try {
      await sleep(delayMs, undefined, signal ? { signal } : {});
    } catch {
      throw new AbortError(signal?.reason);
    }
  }
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createModelClient } from "./index.js";
import { AbortError, backoffDelay, ModelError, parseRetryAfter, RETRY_MAX_DELAY_MS, withRetries } from "./retry.js";
import type { ModelStreamEvent } from "./types.js";

const headers = (init: Record<string, string>) => new Headers(init);
const options = { provider: "openai" as const, baseUrl: "http://model.test/v1", maxRetries: 3 };

describe("parseRetryAfter", () => {
  it("reads retry-after-ms, seconds and HTTP dates, and caps at 60 s", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter(headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(parseRetryAfter(headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(parseRetryAfter(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    expect(parseRetryAfter(headers({ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(headers({ "retry-after": "3600" }), now)).toBe(60_000);
    expect(parseRetryAfter(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("grows exponentially from 500 ms with full jitter and stops at 30 s", () => {
    expect(backoffDelay(0, () => 0.999)).toBe(499);
    expect(backoffDelay(3, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, () => 0.999)).toBe(Math.floor(0.999 * RETRY_MAX_DELAY_MS));
    expect(backoffDelay(2, () => 0)).toBe(0);
  });
});

describe("withRetries", () => {
  it("retries retryable errors with backoff and reports each retry", async () => {
    const events: ModelStreamEvent[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new ModelError("flaky", { retryable: true });
        return "ok";
      },
      { ...options, onEvent: (e) => events.push(e), random: () => 0 },
    );
    expect(result).toBe("ok");
    expect(events).toEqual([
      { type: "retrying", attempt: 1, delayMs: 0, reason: "flaky" },
      { type: "retrying", attempt: 2, delayMs: 0, reason: "flaky" },
    ]);
  });

  it("does not retry a non-retryable error", async () => {
    let calls = 0;
    const failing = withRetries(async () => {
      calls++;
      throw new ModelError("bad request", { retryable: false, status: 400 });
    }, options);
    await expect(failing).rejects.toMatchObject({ message: "bad request", status: 400 });
    expect(calls).toBe(1);
  });

  it("wraps unknown errors as non-retryable ModelErrors that keep the cause", async () => {
    const bug = new RangeError("oops");
    const failing = withRetries(async () => {
      throw bug;
    }, options);
    await expect(failing).rejects.toMatchObject({ name: "ModelError", retryable: false, cause: bug });
  });

  it("does not start when the signal is already aborted", async () => {
    let calls = 0;
    const failing = withRetries(
      async () => {
        calls++;
        return "never";
      },
      { ...options, signal: AbortSignal.abort() },
    );
    await expect(failing).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(0);
  });

  it("retries a refused connection and then names the unreachable server", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const model = createModelClient({ provider: "openai", model: "gpt-5", baseUrl, apiKey: "k", maxRetries: 1 });
    const events: ModelStreamEvent[] = [];
    const failing = model.complete({ instructions: "", items: [], tools: [] }, (e) => events.push(e));
    await expect(failing).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining(`Could not reach openai at ${baseUrl}`),
    });
    expect(events.filter((e) => e.type === "retrying")).toHaveLength(1);
  });
});

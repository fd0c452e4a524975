/** Retries, refusals and aborts, for every provider, against the scripted server over real HTTP. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Script, type ScriptedModelServer, startScriptedModelServer } from "@quire/testing";
import { createModelClient } from "./index.js";
import type { ModelClient, ModelRequest, ModelSettings, ModelStreamEvent, ProviderName } from "./types.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request = (signal?: AbortSignal): ModelRequest => ({
  instructions: "",
  items: [{ type: "message", role: "user", text: "hello" }],
  tools: [],
  ...(signal ? { signal } : {}),
});

const keyVariable: Record<ProviderName, string> = {
  openai: "OPENAI_API_KEY",
  "openai-chat": "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
};

describe.each<ProviderName>(["openai", "openai-chat", "anthropic"])("%s provider faults", (provider) => {
  async function client(script: Script, settings: Partial<ModelSettings> = {}): Promise<ModelClient> {
    server = await startScriptedModelServer(script);
    return createModelClient({ provider, model: "test-model", baseUrl: server.url, apiKey: "key", ...settings });
  }

  async function run(model: ModelClient, signal?: AbortSignal) {
    const events: ModelStreamEvent[] = [];
    const started = Date.now();
    const outcome = await model
      .complete(request(signal), (e) => events.push(e))
      .then(
        (response) => ({ response, error: undefined }),
        (error: unknown) => ({ response: undefined, error }),
      );
    return {
      ...outcome,
      events,
      elapsedMs: Date.now() - started,
      retries: events.filter((e) => e.type === "retrying"),
    };
  }

  it("retries a 429 after the Retry-After delay", async () => {
    const model = await client([
      { fault: { kind: "status", status: 429, retryAfter: "1" } },
      { text: "after the wait" },
    ]);
    const { response, retries, elapsedMs } = await run(model);
    expect(response?.items).toEqual([{ type: "message", role: "assistant", text: "after the wait" }]);
    expect(retries).toEqual([{ type: "retrying", attempt: 1, delayMs: 1000, reason: expect.stringContaining("429") }]);
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(server!.requests).toHaveLength(2);
  });

  it("retries a 500", async () => {
    const model = await client([{ fault: { kind: "status", status: 500 } }, { text: "recovered" }]);
    const { response, retries } = await run(model);
    expect(response?.items).toEqual([{ type: "message", role: "assistant", text: "recovered" }]);
    expect(retries).toMatchObject([{ attempt: 1, reason: expect.stringContaining("500") }]);
  });

  it("retries a stream cut off mid-way", async () => {
    const model = await client([{ fault: { kind: "cut" } }, { text: "whole answer" }]);
    const { response, retries } = await run(model);
    expect(response?.items).toEqual([{ type: "message", role: "assistant", text: "whole answer" }]);
    expect(retries).toMatchObject([{ reason: expect.stringContaining("dropped mid-response") }]);
    expect(server!.requests).toHaveLength(2);
  });

  it("gives up after maxRetries with the last error", async () => {
    const model = await client(
      [{ fault: { kind: "status", status: 503 } }, { fault: { kind: "status", status: 503 } }, { text: "unreached" }],
      { maxRetries: 1 },
    );
    const { error, retries } = await run(model);
    expect(error).toMatchObject({ name: "ModelError", status: 503, retryable: true });
    expect(retries).toHaveLength(1);
    expect(server!.requests).toHaveLength(2);
  });

  it("does not retry a 401 and names the API key variable", async () => {
    const model = await client([{ fault: { kind: "status", status: 401 } }, { text: "unreached" }]);
    const { error, retries } = await run(model);
    expect(error).toMatchObject({ name: "ModelError", status: 401, retryable: false });
    // What the server said, readably (not the raw JSON body), and what to check.
    expect((error as Error).message).toBe(
      `${provider} rejected the API key (401): scripted 401 error. Check ${keyVariable[provider]}.`,
    );
    expect(retries).toHaveLength(0);
    expect(server!.requests).toHaveLength(1);
  });

  it("does not retry a 400", async () => {
    const model = await client([
      { fault: { kind: "status", status: 400, body: '{"error":{"message":"bad tool schema"}}' } },
    ]);
    const { error } = await run(model);
    expect(error).toMatchObject({ status: 400, retryable: false, message: expect.stringContaining("bad tool schema") });
    expect(server!.requests).toHaveLength(1);
  });

  it("times a request out after timeoutMs (and retries it like a dropped connection)", async () => {
    const model = await client([{ text: "late", delayMs: 5000 }, { text: "on time" }], { timeoutMs: 300 });
    const { response, retries, elapsedMs } = await run(model);
    expect(response?.items).toEqual([{ type: "message", role: "assistant", text: "on time" }]);
    expect(retries).toMatchObject([{ reason: expect.stringMatching(/timed out/i) }]);
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it("says once, in words, that a reply which is not valid JSON could not be read; the SDK prints nothing", async () => {
    const printed = [vi.spyOn(console, "error"), vi.spyOn(console, "warn"), vi.spyOn(console, "log")];
    try {
      const model = await client([{ fault: { kind: "garbage" } }, { text: "unreached" }]);
      const { error, retries } = await run(model);
      expect(error).toMatchObject({ name: "ModelError", retryable: false });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^the model's reply could not be read: ${provider} at http://127\\.0\\.0\\.1:\\d+(/v1)? sent data that is not valid JSON \\(.+\\)$`,
        ),
      );
      expect(retries).toHaveLength(0);
      expect(server!.requests).toHaveLength(1);
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
  });

  it("stops promptly when aborted while waiting for the response", async () => {
    const model = await client([{ text: "too late", delayMs: 10_000 }]);
    const { error, elapsedMs } = await run(model, AbortSignal.timeout(150));
    expect(error).toMatchObject({ name: "AbortError" });
    expect(elapsedMs).toBeLessThan(2000);
  });

  it("stops promptly when aborted during the backoff sleep, without another request", async () => {
    const model = await client([{ fault: { kind: "status", status: 429, retryAfter: "30" } }, { text: "unreached" }]);
    const { error, elapsedMs, retries } = await run(model, AbortSignal.timeout(200));
    expect(error).toMatchObject({ name: "AbortError" });
    expect(retries).toHaveLength(1);
    expect(elapsedMs).toBeLessThan(2000);
    expect(server!.requests).toHaveLength(1);
  });

  it("fails at once, without retrying, when the script is exhausted", async () => {
    const model = await client([]);
    const { error, retries } = await run(model);
    expect((error as Error).message).toContain("script exhausted");
    expect(retries).toHaveLength(0);
  });
});

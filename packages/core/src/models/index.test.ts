import { afterEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "@quire/testing";
import { contextWindowFor, createModelClient, DEFAULT_CONTEXT_WINDOW, modelReadiness } from "./index.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const hello = { instructions: "", items: [{ type: "message" as const, role: "user" as const, text: "hi" }], tools: [] };

describe("createModelClient", () => {
  it("requires an API key for openai and anthropic, naming the variable", () => {
    expect(() => createModelClient({ provider: "openai", model: "gpt-5" }, {})).toThrow(/OPENAI_API_KEY/);
    expect(() => createModelClient({ provider: "anthropic", model: "claude-x" }, {})).toThrow(/ANTHROPIC_API_KEY/);
  });

  it("says a model is not ready without its key, what to set, and the keyless local choice", () => {
    const openai = modelReadiness({ provider: "openai", model: "gpt-5" }, {});
    expect(openai).toMatchObject({ ready: false, provider: "openai", model: "gpt-5" });
    expect(openai.message).toContain("set OPENAI_API_KEY");
    expect(openai.message).toContain('set ANTHROPIC_API_KEY with provider = "anthropic"');
    expect(openai.message).toContain('provider = "openai-chat" with base_url');
    expect(openai.message).not.toMatch(/apiKey/);
    const anthropic = modelReadiness({ provider: "anthropic", model: "claude-x" }, {});
    expect(anthropic.message).toContain("No API key for the anthropic provider: set ANTHROPIC_API_KEY.");
    expect(modelReadiness({ provider: "openai", model: "gpt-5" }, { OPENAI_API_KEY: "sk" }).ready).toBe(true);
    // A local OpenAI-compatible server needs no key; Chat Completions at OpenAI itself does.
    const local = { provider: "openai-chat" as const, model: "qwen", baseUrl: "http://127.0.0.1:11434/v1" };
    expect(modelReadiness(local, {})).toEqual({
      ready: true,
      provider: "openai-chat",
      model: "qwen",
      message: null,
      imageInput: true,
    });
    expect(modelReadiness({ provider: "openai-chat", model: "gpt-5" }, {}).ready).toBe(false);
  });

  it("takes the base URL and key from OPENAI_BASE_URL / OPENAI_API_KEY", async () => {
    server = await startScriptedModelServer([{ text: "from env" }]);
    const model = createModelClient(
      { provider: "openai", model: "gpt-5" },
      { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-env" },
    );
    expect(model).toMatchObject({ provider: "openai", model: "gpt-5" });
    const { items } = await model.complete(hello);
    expect(items).toEqual([{ type: "message", role: "assistant", text: "from env" }]);
    expect(server.requests[0]).toMatchObject({ route: "responses", headers: { authorization: "Bearer sk-env" } });
  });

  it("takes the base URL and key from ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY; settings win over the environment", async () => {
    server = await startScriptedModelServer([{ text: "a" }, { text: "b" }]);
    const env = { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: "sk-ant-env" };
    await createModelClient({ provider: "anthropic", model: "claude-x" }, env).complete(hello);
    await createModelClient({ provider: "anthropic", model: "claude-x", apiKey: "sk-ant-flag" }, env).complete(hello);
    expect(server.requests.map((r) => [r.route, r.headers.authorization])).toEqual([
      ["messages", "Bearer sk-ant-env"],
      ["messages", "Bearer sk-ant-flag"],
    ]);
  });

  it("lets openai-chat run without a key, for local servers", async () => {
    server = await startScriptedModelServer([{ text: "local" }]);
    const model = createModelClient({ provider: "openai-chat", model: "llama3", baseUrl: server.url }, {});
    expect((await model.complete(hello)).items).toEqual([{ type: "message", role: "assistant", text: "local" }]);
    expect(server.requests[0]?.route).toBe("chat");
  });
});

describe("contextWindowFor", () => {
  it("knows the common model families and falls back to 128k", () => {
    expect(contextWindowFor("gpt-5-codex")).toBe(272_000);
    expect(contextWindowFor("gpt-4.1-mini")).toBe(1_000_000);
    expect(contextWindowFor("gpt-4o")).toBe(128_000);
    expect(contextWindowFor("o3")).toBe(200_000);
    expect(contextWindowFor("o4-mini")).toBe(200_000);
    expect(contextWindowFor("claude-opus-4-1")).toBe(200_000);
    expect(contextWindowFor("openai/gpt-5")).toBe(272_000);
    expect(contextWindowFor("qwen3-coder:30b")).toBe(DEFAULT_CONTEXT_WINDOW);
    expect(DEFAULT_CONTEXT_WINDOW).toBe(128_000);
  });
});

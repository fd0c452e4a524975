import { afterEach, describe, expect, it } from "vitest";
import {
  responsesBody,
  type Script,
  type ScriptedModelServer,
  sse,
  startCannedHttpServer,
  startScriptedModelServer,
} from "@quire/testing";
import { createModelClient } from "./index.js";
import { supportsEncryptedReasoning } from "./openai-responses.js";
import type { ConversationItem, ModelSettings, ModelStreamEvent, ToolSpec } from "./types.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function client(script: Script, settings: Partial<ModelSettings> = {}) {
  server = await startScriptedModelServer(script);
  return createModelClient({ provider: "openai", model: "gpt-5", baseUrl: server.url, apiKey: "sk-test", ...settings });
}

const shell: ToolSpec = {
  name: "shell",
  description: "Runs a command",
  parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } } },
};
const user = (text: string): ConversationItem => ({ type: "message", role: "user", text });

describe("OpenAI Responses provider", () => {
  it("streams text and reasoning, and returns reasoning, message and tool calls in order", async () => {
    const model = await client([
      {
        reasoning: "Look at the tests first.",
        text: "Running them.",
        toolCalls: [
          { name: "shell", arguments: { command: ["npm", "test"] }, id: "call_a" },
          { name: "shell", arguments: { command: ["git", "status"] }, id: "call_b" },
        ],
      },
    ]);
    const events: ModelStreamEvent[] = [];
    const response = await model.complete({ instructions: "Be brief.", items: [user("fix it")], tools: [shell] }, (e) =>
      events.push(e),
    );

    const text = events.flatMap((e) => (e.type === "text_delta" ? [e.delta] : []));
    expect(text.length).toBeGreaterThan(1); // really streamed in pieces
    expect(text.join("")).toBe("Running them.");
    expect(events.flatMap((e) => (e.type === "reasoning_delta" ? [e.delta] : [])).join("")).toBe(
      "Look at the tests first.",
    );
    expect(events.filter((e) => e.type === "tool_call_started")).toEqual([
      { type: "tool_call_started", name: "shell" },
      { type: "tool_call_started", name: "shell" },
    ]);
    expect(response.items.map((i) => i.type)).toEqual(["reasoning", "message", "tool_call", "tool_call"]);
    expect(response.items[0]).toMatchObject({
      type: "reasoning",
      text: "Look at the tests first.",
      provider: "openai",
      raw: { type: "reasoning", encrypted_content: expect.stringMatching(/^enc_/) },
    });
    expect(response.items.slice(1)).toEqual([
      { type: "message", role: "assistant", text: "Running them." },
      { type: "tool_call", callId: "call_a", name: "shell", arguments: '{"command":["npm","test"]}' },
      { type: "tool_call", callId: "call_b", name: "shell", arguments: '{"command":["git","status"]}' },
    ]);
  });

  it("maps usage including cached and reasoning tokens", async () => {
    const model = await client([
      {
        text: "ok",
        usage: { input_tokens: 1200, cached_input_tokens: 1024, output_tokens: 300, reasoning_output_tokens: 256 },
      },
    ]);
    const { usage } = await model.complete({ instructions: "", items: [user("hi")], tools: [] });
    expect(usage).toEqual({
      input_tokens: 1200,
      cached_input_tokens: 1024,
      output_tokens: 300,
      reasoning_output_tokens: 256,
    });
  });

  it("sends a stateless, cache-friendly request and maps the whole conversation", async () => {
    const model = await client([{ text: "done" }], { reasoningEffort: "high", maxOutputTokens: 4000 });
    const openaiReasoning = { id: "rs_1", type: "reasoning", summary: [], encrypted_content: "enc_abc" };
    await model.complete({
      instructions: "You are Quire.",
      promptCacheKey: "task-42",
      tools: [shell],
      items: [
        user("list files"),
        { type: "reasoning", text: "thinking", raw: openaiReasoning, provider: "openai" },
        { type: "reasoning", text: "foreign", raw: { type: "thinking", signature: "s" }, provider: "anthropic" },
        { type: "message", role: "assistant", text: "Listing." },
        { type: "tool_call", callId: "call_1", name: "shell", arguments: '{"command":["ls"]}' },
        { type: "tool_result", callId: "call_1", output: "README.md" },
      ],
    });
    const body = responsesBody(server!.requests[0]!);
    expect(body).toMatchObject({
      model: "gpt-5",
      instructions: "You are Quire.",
      stream: true,
      store: false,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "task-42",
      reasoning: { effort: "high", summary: "auto" },
      parallel_tool_calls: true,
      tool_choice: "auto",
      max_output_tokens: 4000,
      tools: [
        { type: "function", name: "shell", description: "Runs a command", strict: false, parameters: shell.parameters },
      ],
    });
    expect(body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "list files" }] },
      openaiReasoning,
      {
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "Listing.", annotations: [] }],
      },
      { type: "function_call", call_id: "call_1", name: "shell", arguments: '{"command":["ls"]}' },
      { type: "function_call_output", call_id: "call_1", output: "README.md" },
    ]);
    expect(server!.requests[0]!.headers.authorization).toBe("Bearer sk-test");
  });

  it("omits reasoning settings that were not asked for, and encrypted content for non-reasoning models", async () => {
    const model = await client([{ text: "a" }], { model: "gpt-4.1" });
    await model.complete({ instructions: "", items: [user("hi")], tools: [] });
    const body = responsesBody(server!.requests[0]!);
    expect(body.include).toEqual([]);
    expect(body).not.toHaveProperty("reasoning");
    expect(body).not.toHaveProperty("prompt_cache_key");
    expect(supportsEncryptedReasoning("o4-mini")).toBe(true);
    expect(supportsEncryptedReasoning("gpt-5-chat-latest")).toBe(false);
  });

  it("passes tool arguments that are not JSON through as the raw string", async () => {
    const model = await client([{ toolCalls: [{ name: "shell", arguments: '{"command": ["ls"' }] }]);
    const { items } = await model.complete({ instructions: "", items: [user("x")], tools: [shell] });
    expect(items).toEqual([{ type: "tool_call", callId: "call_0_0", name: "shell", arguments: '{"command": ["ls"' }]);
  });

  it("treats response.failed as an error, retried only when its code is transient", async () => {
    const failed = (code: string) =>
      sse([
        "response.failed",
        {
          type: "response.failed",
          sequence_number: 0,
          response: { id: "r", status: "failed", output: [], error: { code, message: `boom ${code}` } },
        },
      ]);
    const canned = await startCannedHttpServer([{ body: failed("server_error") }, { body: failed("invalid_prompt") }]);
    try {
      const model = createModelClient({ provider: "openai", model: "gpt-5", baseUrl: canned.url, apiKey: "k" });
      const events: ModelStreamEvent[] = [];
      const error = await model
        .complete({ instructions: "", items: [user("x")], tools: [] }, (e) => events.push(e))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "ModelError",
        retryable: false,
        message: expect.stringContaining("boom invalid_prompt"),
      });
      expect(events.filter((e) => e.type === "retrying")).toMatchObject([
        { reason: expect.stringContaining("server_error") },
      ]);
      expect(canned.bodies).toHaveLength(2);
    } finally {
      await canned.close();
    }
  });

  it("treats an error event in the stream as an error", async () => {
    const canned = await startCannedHttpServer([
      {
        body: sse([
          "error",
          { type: "error", sequence_number: 0, code: "invalid_prompt", message: "bad prompt", param: null },
        ]),
      },
    ]);
    try {
      const model = createModelClient({ provider: "openai", model: "gpt-5", baseUrl: canned.url, apiKey: "k" });
      await expect(model.complete({ instructions: "", items: [user("x")], tools: [] })).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining("bad prompt"),
      });
    } finally {
      await canned.close();
    }
  });
});

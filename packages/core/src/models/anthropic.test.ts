import { afterEach, describe, expect, it } from "vitest";
import {
  messagesBody,
  type Script,
  type ScriptedModelServer,
  sse,
  startCannedHttpServer,
  startScriptedModelServer,
} from "@quire/testing";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "./anthropic.js";
import { createModelClient } from "./index.js";
import type { ConversationItem, ModelSettings, ModelStreamEvent, ToolSpec } from "./types.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function client(script: Script, settings: Partial<ModelSettings> = {}) {
  server = await startScriptedModelServer(script);
  return createModelClient({
    provider: "anthropic",
    model: "claude-test",
    baseUrl: server.url,
    apiKey: "sk-ant-test",
    ...settings,
  });
}

const shell: ToolSpec = {
  name: "shell",
  description: "Runs a command",
  parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } } },
};
const user = (text: string): ConversationItem => ({ type: "message", role: "user", text });

describe("Anthropic Messages provider", () => {
  it("streams thinking and text and returns thinking (with signature), text and several tool uses", async () => {
    const model = await client(
      [
        {
          reasoning: "The test imports a missing module.",
          text: "I'll check.",
          toolCalls: [
            { name: "shell", arguments: { command: ["ls", "src"] }, id: "toolu_1" },
            { name: "shell", arguments: { command: ["cat", "a.ts"] }, id: "toolu_2" },
          ],
        },
      ],
      { thinkingBudget: 2048 },
    );
    const events: ModelStreamEvent[] = [];
    const response = await model.complete({ instructions: "sys", items: [user("fix")], tools: [shell] }, (e) =>
      events.push(e),
    );
    expect(events.filter((e) => e.type === "text_delta").length).toBeGreaterThan(1);
    expect(events.flatMap((e) => (e.type === "reasoning_delta" ? [e.delta] : [])).join("")).toBe(
      "The test imports a missing module.",
    );
    expect(events.flatMap((e) => (e.type === "tool_call_started" ? [e.name] : []))).toEqual(["shell", "shell"]);
    expect(response.items).toEqual([
      {
        type: "reasoning",
        text: "The test imports a missing module.",
        provider: "anthropic",
        raw: {
          type: "thinking",
          thinking: "The test imports a missing module.",
          signature: expect.stringMatching(/^sig_/),
        },
      },
      { type: "message", role: "assistant", text: "I'll check." },
      { type: "tool_call", callId: "toolu_1", name: "shell", arguments: '{"command":["ls","src"]}' },
      { type: "tool_call", callId: "toolu_2", name: "shell", arguments: '{"command":["cat","a.ts"]}' },
    ]);
  });

  it("counts cache reads and writes in the input total, and thinking tokens as reasoning", async () => {
    const model = await client([
      {
        text: "ok",
        usage: { input_tokens: 5000, cached_input_tokens: 4000, output_tokens: 700, reasoning_output_tokens: 300 },
      },
    ]);
    const { usage } = await model.complete({ instructions: "", items: [user("hi")], tools: [] });
    expect(usage).toEqual({
      input_tokens: 5000,
      cached_input_tokens: 4000,
      output_tokens: 700,
      reasoning_output_tokens: 300,
    });
  });

  it("adds cache creation tokens to the input total", async () => {
    const canned = await startCannedHttpServer([
      {
        body: sse(
          [
            "message_start",
            {
              type: "message_start",
              message: {
                id: "m",
                type: "message",
                role: "assistant",
                model: "c",
                content: [],
                stop_reason: null,
                usage: {
                  input_tokens: 10,
                  cache_creation_input_tokens: 2000,
                  cache_read_input_tokens: 500,
                  output_tokens: 1,
                },
              },
            },
          ],
          ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } }],
          ["message_stop", { type: "message_stop" }],
        ),
      },
    ]);
    try {
      const model = createModelClient({ provider: "anthropic", model: "c", baseUrl: canned.url, apiKey: "k" });
      const { usage } = await model.complete({ instructions: "", items: [user("hi")], tools: [] });
      expect(usage).toEqual({
        input_tokens: 2510,
        cached_input_tokens: 500,
        output_tokens: 9,
        reasoning_output_tokens: 0,
      });
    } finally {
      await canned.close();
    }
  });

  it("sends system and last block as cache breakpoints, tools, thinking, and alternating roles", async () => {
    const model = await client([{ text: "done" }], { thinkingBudget: 4096 });
    const thinking = { type: "thinking", thinking: "plan", signature: "sig_abc" };
    await model.complete({
      instructions: "You are Quire.",
      tools: [shell],
      items: [
        user("list files"),
        { type: "reasoning", text: "plan", raw: thinking, provider: "anthropic" },
        { type: "reasoning", text: "foreign", raw: { type: "reasoning", encrypted_content: "x" }, provider: "openai" },
        { type: "message", role: "assistant", text: "Listing." },
        { type: "tool_call", callId: "toolu_1", name: "shell", arguments: '{"command":["ls"]}' },
        { type: "tool_call", callId: "toolu_2", name: "shell", arguments: "not json" },
        { type: "tool_result", callId: "toolu_1", output: "README.md" },
        { type: "tool_result", callId: "toolu_2", output: "error: invalid arguments" },
      ],
    });
    const request = server!.requests[0]!;
    expect(request.headers.authorization).toBe("Bearer sk-ant-test"); // SDK 1.x sends the key as a bearer token
    const body = messagesBody(request);
    expect(body).toMatchObject({
      model: "claude-test",
      stream: true,
      max_tokens: DEFAULT_MAX_OUTPUT_TOKENS + 4096,
      thinking: { type: "enabled", budget_tokens: 4096 },
      system: [{ type: "text", text: "You are Quire.", cache_control: { type: "ephemeral" } }],
      tools: [{ name: "shell", description: "Runs a command", input_schema: shell.parameters }],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "list files" }] },
      {
        role: "assistant",
        content: [
          thinking,
          { type: "text", text: "Listing." },
          { type: "tool_use", id: "toolu_1", name: "shell", input: { command: ["ls"] } },
          { type: "tool_use", id: "toolu_2", name: "shell", input: { _raw_arguments: "not json" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "README.md" },
          {
            type: "tool_result",
            tool_use_id: "toolu_2",
            content: "error: invalid arguments",
            cache_control: { type: "ephemeral" },
          },
        ],
      },
    ]);
  });

  it("sends no thinking settings when no budget is set", async () => {
    const model = await client([{ text: "hi" }], { maxOutputTokens: 1000 });
    await model.complete({ instructions: "", items: [user("hi")], tools: [] });
    const body = messagesBody(server!.requests[0]!);
    expect(body.max_tokens).toBe(1000);
    expect(body).not.toHaveProperty("thinking");
    expect(body).not.toHaveProperty("system");
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
    ]);
  });

  it("passes tool input that is not JSON through as the raw string", async () => {
    const model = await client([{ toolCalls: [{ name: "shell", arguments: '{"command": [', id: "toolu_9" }] }]);
    const { items } = await model.complete({ instructions: "", items: [user("x")], tools: [shell] });
    expect(items).toEqual([{ type: "tool_call", callId: "toolu_9", name: "shell", arguments: '{"command": [' }]);
  });

  it("accepts a base URL with or without /v1", async () => {
    const model = await client([{ text: "a" }, { text: "b" }]);
    await model.complete({ instructions: "", items: [user("x")], tools: [] });
    const bare = createModelClient({
      provider: "anthropic",
      model: "c",
      baseUrl: server!.url.replace(/\/v1$/, ""),
      apiKey: "k",
    });
    const { items } = await bare.complete({ instructions: "", items: [user("x")], tools: [] });
    expect(items).toEqual([{ type: "message", role: "assistant", text: "b" }]);
  });

  it("treats an overloaded error event in the stream as retryable", async () => {
    const overloaded = sse(["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }]);
    const ok = sse(
      [
        "message_start",
        { type: "message_start", message: { id: "m", content: [], usage: { input_tokens: 3, output_tokens: 1 } } },
      ],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "fine" } }],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_stop", { type: "message_stop" }],
    );
    const canned = await startCannedHttpServer([{ body: overloaded }, { body: ok }]);
    try {
      const model = createModelClient({ provider: "anthropic", model: "c", baseUrl: canned.url, apiKey: "k" });
      const events: ModelStreamEvent[] = [];
      const { items } = await model.complete({ instructions: "", items: [user("x")], tools: [] }, (e) =>
        events.push(e),
      );
      expect(items).toEqual([{ type: "message", role: "assistant", text: "fine" }]);
      expect(events.filter((e) => e.type === "retrying")).toMatchObject([
        { reason: expect.stringContaining("Overloaded") },
      ]);
    } finally {
      await canned.close();
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import {
  chatBody,
  type Script,
  type ScriptedModelServer,
  sse,
  startCannedHttpServer,
  startScriptedModelServer,
} from "@quire/testing";
import { createModelClient } from "./index.js";
import type { ConversationItem, ModelSettings, ModelStreamEvent, ToolSpec } from "./types.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function client(script: Script, settings: Partial<ModelSettings> = {}) {
  server = await startScriptedModelServer(script);
  // No apiKey: local servers need none.
  return createModelClient({ provider: "openai-chat", model: "qwen3-coder", baseUrl: server.url, ...settings }, {});
}

const shell: ToolSpec = {
  name: "shell",
  description: "Runs a command",
  parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } } },
};
const user = (text: string): ConversationItem => ({ type: "message", role: "user", text });

describe("OpenAI-compatible Chat Completions provider", () => {
  it("streams reasoning and text and accumulates several tool calls from split deltas", async () => {
    const model = await client([
      {
        reasoning: "Check the failing test.",
        text: "Let me look.",
        toolCalls: [
          { name: "shell", arguments: { command: ["cat", "package.json"] }, id: "call_x" },
          { name: "apply_patch", arguments: { input: "*** Begin Patch\n*** End Patch" }, id: "call_y" },
        ],
      },
    ]);
    const events: ModelStreamEvent[] = [];
    const response = await model.complete({ instructions: "sys", items: [user("go")], tools: [shell] }, (e) =>
      events.push(e),
    );
    expect(events.filter((e) => e.type === "text_delta").length).toBeGreaterThan(1);
    expect(events.flatMap((e) => (e.type === "reasoning_delta" ? [e.delta] : [])).join("")).toBe(
      "Check the failing test.",
    );
    expect(events.flatMap((e) => (e.type === "tool_call_started" ? [e.name] : []))).toEqual(["shell", "apply_patch"]);
    expect(response.items).toEqual([
      { type: "reasoning", text: "Check the failing test.", provider: "openai-chat" },
      { type: "message", role: "assistant", text: "Let me look." },
      { type: "tool_call", callId: "call_x", name: "shell", arguments: '{"command":["cat","package.json"]}' },
      {
        type: "tool_call",
        callId: "call_y",
        name: "apply_patch",
        arguments: '{"input":"*** Begin Patch\\n*** End Patch"}',
      },
    ]);
  });

  it("maps usage including cached and reasoning tokens", async () => {
    const model = await client([
      {
        text: "ok",
        usage: { input_tokens: 900, cached_input_tokens: 512, output_tokens: 80, reasoning_output_tokens: 40 },
      },
    ]);
    const { usage } = await model.complete({ instructions: "", items: [user("hi")], tools: [] });
    expect(usage).toEqual({
      input_tokens: 900,
      cached_input_tokens: 512,
      output_tokens: 80,
      reasoning_output_tokens: 40,
    });
  });

  it("reads Ollama-style `reasoning` deltas, and reports zero usage when the server sends none", async () => {
    const chunk = (delta: object, finish_reason: string | null = null) =>
      [
        null,
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "m",
          choices: [{ index: 0, delta, finish_reason }],
        },
      ] as [null, unknown];
    const canned = await startCannedHttpServer([
      {
        body: sse(chunk({ role: "assistant", reasoning: "Hmm." }), chunk({ content: "Hi" }), chunk({}, "stop"), [
          null,
          "[DONE]",
        ]),
      },
    ]);
    try {
      const model = createModelClient({ provider: "openai-chat", model: "m", baseUrl: canned.url }, {});
      const response = await model.complete({ instructions: "", items: [user("hi")], tools: [] });
      expect(response).toEqual({
        items: [
          { type: "reasoning", text: "Hmm.", provider: "openai-chat" },
          { type: "message", role: "assistant", text: "Hi" },
        ],
        usage: { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 },
      });
    } finally {
      await canned.close();
    }
  });

  it("retries a stream that ends without a finish_reason", async () => {
    const partial = sse([
      null,
      {
        id: "c",
        object: "chat.completion.chunk",
        created: 0,
        model: "m",
        choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }],
      },
    ]);
    const complete = sse(
      [
        null,
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "m",
          choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: "stop" }],
        },
      ],
      [null, "[DONE]"],
    );
    const canned = await startCannedHttpServer([{ body: partial }, { body: complete }]);
    try {
      const model = createModelClient({ provider: "openai-chat", model: "m", baseUrl: canned.url }, {});
      const events: ModelStreamEvent[] = [];
      const response = await model.complete({ instructions: "", items: [user("hi")], tools: [] }, (e) =>
        events.push(e),
      );
      expect(response.items).toEqual([{ type: "message", role: "assistant", text: "Hello" }]);
      expect(events.filter((e) => e.type === "retrying")).toHaveLength(1);
    } finally {
      await canned.close();
    }
  });

  it("sends system, user, assistant tool_calls and tool messages, and include_usage", async () => {
    const model = await client([{ text: "done" }], { maxOutputTokens: 2048 });
    await model.complete({
      instructions: "You are Quire.",
      tools: [shell],
      items: [
        user("list files"),
        { type: "reasoning", text: "hidden", provider: "openai-chat" },
        { type: "message", role: "assistant", text: "Listing." },
        { type: "tool_call", callId: "call_1", name: "shell", arguments: '{"command":["ls"]}' },
        { type: "tool_call", callId: "call_2", name: "shell", arguments: '{"command":["pwd"]}' },
        { type: "tool_result", callId: "call_1", output: "README.md" },
        { type: "tool_result", callId: "call_2", output: "/work" },
        { type: "message", role: "assistant", text: "Two files." },
        user("thanks"),
      ],
    });
    const request = server!.requests[0]!;
    const body = chatBody(request);
    expect(body).toMatchObject({
      model: "qwen3-coder",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 2048,
      tools: [
        { type: "function", function: { name: "shell", description: "Runs a command", parameters: shell.parameters } },
      ],
    });
    expect(body.messages).toEqual([
      { role: "system", content: "You are Quire." },
      { role: "user", content: "list files" },
      {
        role: "assistant",
        content: "Listing.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "shell", arguments: '{"command":["ls"]}' } },
          { id: "call_2", type: "function", function: { name: "shell", arguments: '{"command":["pwd"]}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "README.md" },
      { role: "tool", tool_call_id: "call_2", content: "/work" },
      { role: "assistant", content: "Two files." },
      { role: "user", content: "thanks" },
    ]);
    expect(request.headers.authorization).toBe("Bearer not-needed");
  });

  it("omits tools when none are offered", async () => {
    const model = await client([{ text: "hi" }]);
    await model.complete({ instructions: "", items: [user("hi")], tools: [] });
    expect(chatBody(server!.requests[0]!)).not.toHaveProperty("tools");
  });

  it("passes tool arguments that are not JSON through as the raw string", async () => {
    const model = await client([{ toolCalls: [{ name: "shell", arguments: "ls -la, not json", id: "c1" }] }]);
    const { items } = await model.complete({ instructions: "", items: [user("x")], tools: [shell] });
    expect(items).toEqual([{ type: "tool_call", callId: "c1", name: "shell", arguments: "ls -la, not json" }]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { type Script, type ScriptedModelServer, startScriptedModelServer } from "./index.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(script: Script): Promise<ScriptedModelServer> {
  server = await startScriptedModelServer(script);
  return server;
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The `event:` names of an SSE body, in order. */
const eventNames = (text: string) => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
/** The parsed `data:` payloads of an SSE body (skipping [DONE]). */
const dataOf = (text: string): unknown[] =>
  [...text.matchAll(/^data: (.+)$/gm)].flatMap((m) => (m[1] === "[DONE]" ? [] : [JSON.parse(m[1]!)]));

const toolReply = {
  text: "Hi",
  reasoning: "Think",
  toolCalls: [{ name: "shell", arguments: { command: ["ls"] }, id: "call_1" }],
  usage: { input_tokens: 10, cached_input_tokens: 4, output_tokens: 7, reasoning_output_tokens: 2 },
};

describe("scripted model server: non-streaming answers", () => {
  it("answers the Responses API with a response object", async () => {
    const { url } = await start([toolReply]);
    const res = await post(`${url}/responses`, {
      model: "gpt-5",
      input: "hi",
      include: ["reasoning.encrypted_content"],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      object: "response",
      status: "completed",
      model: "gpt-5",
      output: [
        {
          type: "reasoning",
          summary: [{ type: "summary_text", text: "Think" }],
          encrypted_content: expect.any(String),
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Hi" }] },
        { type: "function_call", call_id: "call_1", name: "shell", arguments: '{"command":["ls"]}' },
      ],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 2 },
      },
    });
  });

  it("answers Chat Completions with a chat.completion, also without the /v1 prefix", async () => {
    const { url } = await start([toolReply]);
    const res = await post(`${url.replace(/\/v1$/, "")}/chat/completions`, { model: "llama", messages: [] });
    expect(await res.json()).toMatchObject({
      object: "chat.completion",
      choices: [
        {
          message: {
            role: "assistant",
            content: "Hi",
            reasoning_content: "Think",
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "shell", arguments: '{"command":["ls"]}' } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 4 } },
    });
  });

  it("answers Messages with a message whose input_tokens excludes cache reads", async () => {
    const { url } = await start([toolReply]);
    const res = await post(`${url}/messages`, { model: "claude", messages: [], max_tokens: 10 });
    expect(await res.json()).toMatchObject({
      type: "message",
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Think", signature: expect.any(String) },
        { type: "text", text: "Hi" },
        { type: "tool_use", id: "call_1", name: "shell", input: { command: ["ls"] } },
      ],
      stop_reason: "tool_use",
      usage: { input_tokens: 6, cache_read_input_tokens: 4, output_tokens: 7 },
    });
  });
});

describe("scripted model server: streams", () => {
  it("frames Responses events as the API does", async () => {
    const { url } = await start([toolReply]);
    const text = await (await post(`${url}/responses`, { model: "m", input: "x", stream: true })).text();
    const names = eventNames(text);
    expect(names[0]).toBe("response.created");
    expect(names.at(-1)).toBe("response.completed");
    for (const name of [
      "response.output_item.added",
      "response.reasoning_summary_text.delta",
      "response.output_text.delta",
      "response.function_call_arguments.delta",
      "response.output_item.done",
    ]) {
      expect(names).toContain(name);
    }
    const data = dataOf(text) as { type: string; sequence_number: number }[];
    expect(data.map((d) => d.type)).toEqual(names); // each data payload repeats its event name
    expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i));
  });

  it("streams chat chunks, with tool calls split across chunks, usage only when asked, then [DONE]", async () => {
    const { url } = await start([toolReply, toolReply]);
    const withUsage = await (
      await post(`${url}/chat/completions`, {
        model: "m",
        messages: [],
        stream: true,
        stream_options: { include_usage: true },
      })
    ).text();
    expect(withUsage.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(eventNames(withUsage)).toEqual([]);
    const chunks = dataOf(withUsage) as { choices: { delta: { tool_calls?: unknown[] } }[]; usage?: unknown }[];
    expect(chunks.filter((c) => c.choices[0]?.delta.tool_calls).length).toBeGreaterThan(2);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10 } });

    const withoutUsage = await (
      await post(`${url}/chat/completions`, { model: "m", messages: [], stream: true })
    ).text();
    expect(dataOf(withoutUsage).some((c) => (c as { usage?: unknown }).usage)).toBe(false);
  });

  it("streams Anthropic events with split input_json_delta pieces", async () => {
    const { url } = await start([toolReply]);
    const text = await (await post(`${url}/messages`, { model: "m", messages: [], stream: true })).text();
    const names = eventNames(text);
    expect(names.slice(0, 2)).toEqual(["message_start", "ping"]);
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    const deltas = dataOf(text).filter(
      (d) => (d as { delta?: { type?: string } }).delta?.type === "input_json_delta",
    ) as { delta: { partial_json: string } }[];
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.delta.partial_json).join("")).toBe('{"command":["ls"]}');
  });
});

describe("scripted model server: script and faults", () => {
  it("records requests and passes them with their index to a script function", async () => {
    const seen: [string, number][] = [];
    const { url, requests } = await start((request, index) => {
      seen.push([request.route, index]);
      return { text: `reply ${index}` };
    });
    await post(`${url}/responses`, { model: "m", input: "a" });
    const second = await (await post(`${url}/chat/completions`, { model: "m", messages: [] })).json();
    expect(seen).toEqual([
      ["responses", 0],
      ["chat", 1],
    ]);
    expect(second).toMatchObject({ choices: [{ message: { content: "reply 1" } }] });
    expect(requests[0]).toMatchObject({ route: "responses", body: { model: "m", input: "a" }, rawBytes: 25 });
    expect(requests[0]?.rawText).toBe('{"model":"m","input":"a"}');
  });

  it("derives plausible usage from the request size when none is scripted", async () => {
    const { url } = await start([{ text: "12345678" }]);
    const input = "x".repeat(400);
    const body = (await (await post(`${url}/responses`, { model: "m", input })).json()) as { usage: unknown };
    expect(body.usage).toMatchObject({
      input_tokens: Math.ceil(JSON.stringify({ model: "m", input }).length / 4),
      output_tokens: 2,
    });
  });

  it("answers a scripted status with Retry-After, then the next reply", async () => {
    const { url } = await start([{ fault: { kind: "status", status: 429, retryAfter: "1" } }, { text: "ok" }]);
    const first = await post(`${url}/messages`, { model: "m", messages: [] });
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(await first.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "scripted 429 error" },
    });
    expect((await post(`${url}/messages`, { model: "m", messages: [] })).status).toBe(200);
  });

  it("fails loudly when the script is exhausted, and 404s unknown routes", async () => {
    const { url } = await start([]);
    const res = await post(`${url}/responses`, { model: "m" });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(await res.text()).toContain("script exhausted");
    expect((await post(`${url}/embeddings`, {})).status).toBe(404);
  });

  it("waits delayMs before answering", async () => {
    const { url } = await start([{ text: "slow", delayMs: 300 }]);
    const started = Date.now();
    await (await post(`${url}/responses`, { model: "m" })).json();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("cuts a stream off mid-way by destroying the socket", async () => {
    const { url } = await start([{ fault: { kind: "cut" } }]);
    const res = await post(`${url}/chat/completions`, { model: "m", messages: [], stream: true });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow(/terminated/);
  });
});

/**
 * The agent loop, tool dispatch and compaction as a library, against the scripted model server
 * (real OpenAI Responses wire format): no CLI, no task store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Script, type ScriptedModelServer, startScriptedModelServer } from "@quire/testing";
import type { QuireEvent } from "../events.js";
import { createModelClient } from "../models/index.js";
import { createNoneSandbox } from "../sandbox/none.js";
import type { Tool } from "../tools/types.js";
import { newConversation } from "./conversation.js";
import { type AgentRun, defaultAgentLimits, runTurn } from "./loop.js";

let server: ScriptedModelServer | undefined;
let workspace: string;

beforeEach(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), "quire-loop-"));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(workspace, { recursive: true, force: true });
});

/** A tool that answers with what it was given, and fails on request: the loop's only tool here. */
const echoTool: Tool<z.ZodObject<{ text: z.ZodString }>> = {
  name: "echo",
  description: "Echoes its text.",
  schema: z.object({ text: z.string() }),
  async run({ text }) {
    if (text === "boom") throw new Error("the echo broke");
    return { output: `echo: ${text}` };
  },
};

async function setUp(script: Script, overrides: Partial<AgentRun> = {}) {
  server = await startScriptedModelServer(script);
  const events: QuireEvent[] = [];
  const run: AgentRun = {
    model: createModelClient({ provider: "openai", model: "gpt-test", baseUrl: server.url, apiKey: "sk-test" }, {}),
    mode: "code",
    instructions: "You are a test agent.",
    tools: [echoTool as unknown as Tool],
    workspace,
    sandbox: createNoneSandbox({ workspace, writable: true, network: false }),
    limits: defaultAgentLimits,
    contextWindow: 200_000,
    promptCacheKey: "loop-test",
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    ...overrides,
  };
  return { run, events, state: newConversation([]) };
}

/** The text of every function_call_output the model was sent in request `index`. */
function toolOutputsSent(index: number): string[] {
  const body = server!.requests[index]!.body as { input: { type: string; output?: string }[] };
  return body.input.filter((item) => item.type === "function_call_output").map((item) => String(item.output));
}

describe("runTurn", () => {
  it("runs the model's tool call, gives it the output, and completes with the final answer", async () => {
    const { run, events, state } = await setUp([
      { toolCalls: [{ name: "echo", arguments: { text: "hello" } }] },
      { text: "all done" },
    ]);
    const outcome = await runTurn(state, "say hello", run);

    expect(outcome).toEqual({ status: "completed", finalMessage: "all done" });
    expect(server!.requests).toHaveLength(2);
    expect(toolOutputsSent(1)).toEqual(["echo: hello"]);
    // Append-only: the second request starts with everything the first one sent.
    const first = (server!.requests[0]!.body as { input: unknown[] }).input;
    const second = (server!.requests[1]!.body as { input: unknown[] }).input;
    expect(second.slice(0, first.length)).toEqual(first);
    expect(events[0]).toEqual({ type: "turn.started" });
    expect(events.at(-1)).toMatchObject({ type: "turn.completed", usage: { input_tokens: expect.any(Number) } });
    expect(events).toContainEqual({
      type: "item.completed",
      item: expect.objectContaining({ type: "agent_message", text: "all done" }),
    });
    expect(state.usage.model_calls).toBe(2);
    expect(state.turnsUsed).toBe(2);
  });

  it("stops at the turn budget with a reason, and says so in the stream", async () => {
    const call = { toolCalls: [{ name: "echo", arguments: { text: "again" } }] };
    const { run, events, state } = await setUp([call, call, call], {
      limits: { ...defaultAgentLimits, maxTurns: 2 },
    });
    const outcome = await runTurn(state, "loop forever", run);

    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.reason).toMatch(/turn/i);
    expect(server!.requests).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: "turn.failed" });
  });

  it("is cancelled by its signal before calling the model again", async () => {
    const controller = new AbortController();
    controller.abort();
    const { run, state } = await setUp([{ text: "never asked" }], { signal: controller.signal });
    const outcome = await runTurn(state, "stop", run);
    expect(outcome.status).toBe("cancelled");
    expect(server!.requests).toHaveLength(0);
  });
});

describe("tool dispatch", () => {
  it("turns every bad call into a message the model can act on, and the task goes on", async () => {
    const { run, state } = await setUp([
      {
        toolCalls: [
          { name: "nope", arguments: {} },
          { name: "echo", arguments: "{not json" },
          { name: "echo", arguments: { text: 42 } },
          { name: "echo", arguments: { text: "boom" } },
        ],
      },
      { text: "understood" },
    ]);
    const outcome = await runTurn(state, "try things", run);

    expect(outcome).toEqual({ status: "completed", finalMessage: "understood" });
    const [unknown, notJson, wrongShape, thrown] = toolOutputsSent(1);
    expect(unknown).toBe('Unknown tool "nope". Available tools: echo.');
    expect(notJson).toMatch(/^Invalid arguments for echo: not valid JSON/);
    expect(wrongShape).toMatch(/^Invalid arguments for echo:\n/);
    expect(wrongShape).toContain("text");
    expect(thrown).toBe("echo failed: the echo broke");
  });
});

describe("compaction", () => {
  it("summarises the conversation when the next request would fill the window, keeping the user's prompts", async () => {
    const big = "x".repeat(6_000);
    const { run, events, state } = await setUp(
      [
        { toolCalls: [{ name: "echo", arguments: { text: big } }] },
        { text: "the summary: echoed a long text" },
        { text: "finished after compaction" },
      ],
      // About 1,500 tokens of tool output against a 2,000-token window passes the 80 % mark.
      { contextWindow: 2_000 },
    );
    const outcome = await runTurn(state, "echo a long text", run);

    expect(outcome).toEqual({ status: "completed", finalMessage: "finished after compaction" });
    expect(server!.requests).toHaveLength(3);
    // The compaction call: the conversation so far, with the summarising instructions.
    expect(server!.requests[1]!.rawText).toContain("Summarise the conversation so far");
    // The turn goes on in a fresh window: the user's prompt and the summary, not the long output.
    const after = server!.requests[2]!.rawText;
    expect(after).toContain("echo a long text");
    expect(after).toContain("<conversation_summary>");
    expect(after).toContain("the summary: echoed a long text");
    expect(after).not.toContain(big);
    expect(state.usage.per_call.map((call) => call.kind)).toEqual(["turn", "compaction", "turn"]);
    expect(events.some((event) => event.type === "item.completed" && event.item.type === "reasoning")).toBe(true);
  });
});

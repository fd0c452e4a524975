// A tool's failure is typed: the model is told a ToolError (and any tool's bug) and the task goes
// on; a FatalToolError (the sandbox itself failed) ends the task with its reason.
import { mkdtempSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { newConversation } from "../agent/conversation.js";
import { dispatchToolCall } from "../agent/dispatch.js";
import { defaultAgentLimits, runTurn } from "../agent/loop.js";
import type { QuireEvent } from "../events.js";
import { createModelClient } from "../models/index.js";
import { createSandbox } from "../sandbox/index.js";
import type { Sandbox } from "../sandbox/types.js";
import { startScriptedModelServer, type ScriptedModelServer } from "@quire/testing";
import { defineTool } from "./define-tool.js";
import { FatalToolError, ToolError } from "./errors.js";
import { buildToolset } from "./toolset.js";
import type { Tool, ToolContext } from "./types.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const workspace = () => realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-tool-errors-")));

function context(sandbox: Sandbox, dir: string): ToolContext {
  let next = 0;
  return {
    mode: "code",
    workspace: dir,
    sandbox,
    signal: new AbortController().signal,
    limits: { defaultTimeoutMs: 5000, maxTimeoutMs: 5000, maxOutputBytes: 4096 },
    nextItemId: () => `item_${next++}`,
    emitItem: () => undefined,
  };
}

const failing = (error: Error): Tool =>
  defineTool({
    name: "probe",
    description: "fails",
    schema: z.object({}),
    handler: () => Promise.reject(error),
  });

describe("typed tool errors", () => {
  const call = { callId: "c1", name: "probe", arguments: "{}" };
  const dir = workspace();
  const sandbox = createSandbox("none", { workspace: dir, writable: true, network: false });

  it("tells the model a ToolError as the call's whole output", async () => {
    const tool = failing(new ToolError("probe refused: not here"));
    expect(await dispatchToolCall(call, new Map([["probe", tool]]), ["probe"], context(sandbox, dir))).toBe(
      "probe refused: not here",
    );
  });

  it("tells the model any other error a tool throws, naming the tool", async () => {
    const tool = failing(new Error("unexpected"));
    expect(await dispatchToolCall(call, new Map([["probe", tool]]), ["probe"], context(sandbox, dir))).toBe(
      "probe failed: unexpected",
    );
  });

  it("lets a FatalToolError through to the loop", async () => {
    const tool = failing(new FatalToolError("cannot go on"));
    await expect(
      dispatchToolCall(call, new Map([["probe", tool]]), ["probe"], context(sandbox, dir)),
    ).rejects.toBeInstanceOf(FatalToolError);
  });

  it("ends the task, failed with the reason, when the sandbox cannot run a command", async () => {
    server = await startScriptedModelServer([
      { toolCalls: [{ name: "shell", arguments: { command: ["true"] } }] },
      { text: "never asked" },
    ]);
    const model = createModelClient({ provider: "openai", model: "m", baseUrl: server.url, apiKey: "k" }, {});
    const dir = workspace();
    const real = createSandbox("none", { workspace: dir, writable: true, network: false });
    const broken: Sandbox = { ...real, exec: () => Promise.reject(new Error("bwrap vanished")) };
    const toolset = buildToolset("code");
    const events: QuireEvent[] = [];
    const outcome = await runTurn(newConversation([]), "run it", {
      model,
      mode: "code",
      instructions: "i",
      tools: toolset.offered,
      workspace: dir,
      sandbox: broken,
      limits: defaultAgentLimits,
      contextWindow: 100_000,
      promptCacheKey: "k",
      signal: new AbortController().signal,
      emit: (event) => events.push(event),
    });
    expect(outcome).toEqual({
      status: "failed",
      reason: "the sandbox could not run a command: bwrap vanished",
      finalMessage: null,
    });
    expect(server.requests).toHaveLength(1);
    const command = events.findLast((e) => e.type === "item.completed" && e.item.type === "command_execution");
    expect(command).toMatchObject({ item: { status: "failed", exit_code: null } });
  });
});

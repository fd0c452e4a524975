import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ONE_PIXEL_PNG, responsesBody, type ScriptedModelServer, startScriptedModelServer } from "@quire/testing";
import { newConversation } from "../agent/conversation.js";
import { type AgentRun, defaultAgentLimits, runTurn } from "../agent/loop.js";
import { createModelClient } from "../models/index.js";
import { createNoneSandbox } from "../sandbox/none.js";
import type { Tool } from "./types.js";
import { viewImageTool } from "./view-image.js";

let server: ScriptedModelServer | undefined;
let dir: string;
let workspace: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "quire-view-image-"));
  workspace = path.join(dir, "ws");
  mkdirSync(workspace);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function viewImage(requested: string, imageInput = true) {
  server = await startScriptedModelServer([
    { toolCalls: [{ name: "view_image", arguments: { path: requested } }] },
    { text: "seen" },
  ]);
  const run: AgentRun = {
    model: createModelClient({ provider: "openai", model: "gpt-test", baseUrl: server.url, apiKey: "sk-test" }, {}),
    mode: "code",
    instructions: "test",
    tools: [viewImageTool as unknown as Tool],
    workspace,
    sandbox: createNoneSandbox({ workspace, writable: true, network: false }),
    limits: defaultAgentLimits,
    contextWindow: 200_000,
    promptCacheKey: "view-image-test",
    signal: new AbortController().signal,
    emit: () => undefined,
    imageInput,
  };
  const outcome = await runTurn(newConversation([]), "look at the screenshot", run);
  expect(outcome.status).toBe("completed");
  const input = responsesBody(server.requests[1]!).input as { type: string; output?: string; content?: unknown }[];
  const output = input.find((item) => item.type === "function_call_output")?.output;
  const images = input.flatMap((item) =>
    Array.isArray(item.content) ? item.content.filter((part: { type: string }) => part.type === "input_image") : [],
  );
  return { output, images };
}

describe("view_image", () => {
  it("shows the model a workspace image with its next request", async () => {
    writeFileSync(path.join(workspace, "shot.png"), ONE_PIXEL_PNG);
    const { output, images } = await viewImage("shot.png");
    expect(output).toBe("attached local image path: shot.png");
    expect(images).toEqual([
      { type: "input_image", image_url: `data:image/png;base64,${ONE_PIXEL_PNG.toString("base64")}`, detail: "auto" },
    ]);
  });

  it("refuses a file that is not an image, whatever its name", async () => {
    writeFileSync(path.join(workspace, "shot.png"), "not an image");
    const { output, images } = await viewImage("shot.png");
    expect(output).toBe("view_image: shot.png: not a PNG, JPEG, WebP or GIF image");
    expect(images).toEqual([]);
  });

  it("refuses a path that leads outside the workspace", async () => {
    writeFileSync(path.join(dir, "secret.png"), ONE_PIXEL_PNG);
    symlinkSync(path.join(dir, "secret.png"), path.join(workspace, "link.png"));
    const outside = await viewImage("../secret.png");
    expect(outside.output).toMatch(/refused: it resolves outside the workspace/);
    const linked = await viewImage("link.png");
    expect(linked.output).toMatch(/refused/);
    expect([...outside.images, ...linked.images]).toEqual([]);
  });

  it("attaches nothing for a text-only model", async () => {
    writeFileSync(path.join(workspace, "shot.png"), ONE_PIXEL_PNG);
    const { output, images } = await viewImage("shot.png", false);
    expect(output).toMatch(/does not take images/);
    expect(images).toEqual([]);
  });
});

// What the model is told about its tools, exactly as each provider's wire format carries it, per
// mode. A change to a tool's name, description or schema changes these files: review it, then
// update them on purpose (`npx vitest run -u packages/core/src/tools/tool-schemas.test.ts`).
import { afterEach, describe, expect, it } from "vitest";
import { toToolSpec } from "../agent/tool-specs.js";
import { createModelClient } from "../models/index.js";
import type { ProviderName } from "../models/types.js";
import { startScriptedModelServer, type ScriptedModelServer } from "@quire/testing";
import type { TaskMode } from "./types.js";
import { buildToolset } from "./toolset.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const providers: ProviderName[] = ["openai", "openai-chat", "anthropic"];
const modes: TaskMode[] = ["code", "ask"];

describe("the tool schemas sent to the model", () => {
  for (const provider of providers) {
    for (const mode of modes) {
      it(`${provider}, ${mode} mode`, async () => {
        server = await startScriptedModelServer([{ text: "ok" }]);
        const model = createModelClient({ provider, model: "m", baseUrl: server.url, apiKey: "k" }, {});
        const tools = buildToolset(mode).offered.map(toToolSpec);
        await model.complete({ instructions: "i", items: [{ type: "message", role: "user", text: "hi" }], tools });
        const sent = (server.requests[0]?.body as { tools?: unknown }).tools;
        await expect(`${JSON.stringify(sent, null, 2)}\n`).toMatchFileSnapshot(
          `./__snapshots__/tool-schemas/${provider}-${mode}.json`,
        );
      });
    }
  }
});

import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";

const scriptedModel = useScriptedModels();

it("compacts older turns into a summary when the conversation nears the context window, then goes on", async () => {
  const home = tempHome();
  writeFileSync(
    path.join(home, "config.toml"),
    '[profiles.tiny]\nprovider = "openai"\nmodel = "small-model"\ncontext_window = 4000\n',
  );
  const model = await scriptedModel([
    { toolCalls: [{ name: "shell", arguments: { command: ["seq", "100000", "103000"] } }] },
    { text: "SUMMARY: listed numbers with seq; nothing else done." },
    { text: "done after compaction" },
  ]);
  const run = await runQuire(["exec", "--json", "--profile", "tiny", "count"], {
    cwd: makeRepo(failingTestRepo),
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  expect(model.requests).toHaveLength(3);

  const compaction = model.requests[1]!.body as { instructions: string; tools?: unknown[] };
  expect(compaction.instructions).toMatch(/summar/i);
  expect(requestText(model.requests[1]!)).toContain("102999");

  const after = requestText(model.requests[2]!);
  expect(after).toContain("<conversation_summary>");
  expect(after).toContain("SUMMARY: listed numbers with seq");
  expect(after).toContain("count");
  expect(after).not.toContain("102999");
  expect(model.requests[2]!.rawBytes).toBeLessThan(model.requests[1]!.rawBytes);

  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error("no task.completed event");
  expect(final.final_message).toBe("done after compaction");
  expect(final.usage.per_call.map((call) => call.kind)).toEqual(["turn", "compaction", "turn"]);
});

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";

const scriptedModel = useScriptedModels();

/** The text of the user messages before the prompt: where AGENTS.md reaches the model. */
function userTexts(body: unknown): string {
  const input = (body as { input: { role?: string; content?: { text?: string }[] }[] }).input;
  return input
    .filter((item) => item.role === "user")
    .flatMap((item) => (item.content ?? []).map((part) => part.text ?? ""))
    .join("\n");
}

it("merges the global file, then root-to-leaf AGENTS.md with overrides, skips empty ones, and caps the total", async () => {
  const repo = makeRepo({
    "AGENTS.md": "ROOT-RULE: use tabs\n",
    "pkg/AGENTS.md": "PKG-PLAIN: should be overridden\n",
    "pkg/AGENTS.override.md": "PKG-OVERRIDE: run pkg tests\n",
    "pkg/empty/AGENTS.md": "   \n",
    "pkg/empty/leaf/AGENTS.md": "LEAF-RULE: no semicolons\n",
    "other/AGENTS.md": "OTHER: must not appear\n",
  });
  const home = tempHome();
  writeFileSync(path.join(home, "AGENTS.md"), "GLOBAL-PLAIN: hidden by the override\n");
  writeFileSync(path.join(home, "AGENTS.override.md"), "GLOBAL-OVERRIDE: be brief\n");
  const cwd = path.join(repo, "pkg/empty/leaf");
  mkdirSync(cwd, { recursive: true });

  const model = await scriptedModel([{ text: "done" }]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "hello"], {
    cwd,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  const text = userTexts(model.requests[0]?.body);
  const order = ["GLOBAL-OVERRIDE", "ROOT-RULE", "PKG-OVERRIDE", "LEAF-RULE"].map((marker) => text.indexOf(marker));
  expect(order.every((index) => index >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  for (const absent of ["GLOBAL-PLAIN", "PKG-PLAIN", "OTHER"]) expect(text).not.toContain(absent);

  // A cap from config.toml truncates the merged text.
  writeFileSync(path.join(home, "config.toml"), "[agents_md]\nmax_bytes = 40\n");
  const capped = await scriptedModel([{ text: "done" }]);
  const run2 = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "hello"], {
    cwd,
    home,
    env: providerEnv("openai", capped.url),
  });
  expect(run2.code).toBe(0);
  const cappedText = userTexts(capped.requests[0]?.body);
  expect(cappedText).toContain("GLOBAL-OVERRIDE");
  expect(cappedText).not.toContain("LEAF-RULE");
});

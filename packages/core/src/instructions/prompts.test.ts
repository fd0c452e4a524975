import { describe, expect, it } from "vitest";
import { loadPrompt, type PromptName } from "./prompts.js";

// The whole first request (system prompt + tool schemas + AGENTS.md + environment + prompt)
// must stay around 20 KB, so the prompts have hard byte budgets: bloat fails here.
const BUDGETS: Record<PromptName, number> = { code: 4096, ask: 3072, review: 3072, compact: 1536 };

describe("loadPrompt", () => {
  for (const [name, budget] of Object.entries(BUDGETS) as [PromptName, number][]) {
    it(`loads ${name}.md within ${budget} bytes`, () => {
      const text = loadPrompt(name);
      expect(text.trim().length).toBeGreaterThan(300);
      expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(budget);
      expect(loadPrompt(name)).toBe(text);
    });
  }

  it("code prompt covers the tools, AGENTS.md precedence, no commits and the final answer", () => {
    const text = loadPrompt("code");
    for (const needle of [
      "`shell`",
      "`apply_patch`",
      "`update_plan`",
      "*** Begin Patch",
      "AGENTS.md",
      "deeper",
      "commit",
      "path:line",
      "rg",
    ]) {
      expect(text).toContain(needle);
    }
  });

  it("ask prompt is read-only and asks for path:line citations", () => {
    const text = loadPrompt("ask");
    expect(text).toMatch(/read-only/i);
    expect(text).toContain("path:start-end");
    expect(text).not.toContain("apply_patch");
  });

  it("review prompt is read-only, names priorities 0-3, confidence, lines and the JSON verdict", () => {
    const text = loadPrompt("review");
    expect(text).toMatch(/read-only/i);
    expect(text).not.toContain("apply_patch");
    for (const needle of ["`priority` 0", "3 (low", "`confidence`", "start_line", "end_line", '"needs changes"']) {
      expect(text).toContain(needle);
    }
  });

  it("compact prompt asks for what a continuation needs", () => {
    const text = loadPrompt("compact");
    for (const needle of ["task", "Files", "Commands", "left"]) expect(text).toContain(needle);
  });

  it("rejects unknown names", () => {
    expect(() => loadPrompt("../secret" as PromptName)).toThrow(/unknown prompt/);
  });
});

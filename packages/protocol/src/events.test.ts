/**
 * The event schemas read the stream as the README documents it, hold Codex's own items (so a
 * consumer written for Codex's stream reads Quire's), and refuse what is neither.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { quireEventSchema, threadItemSchema } from "./events.js";

function readmeStream(): string[] {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Events (`quire exec --json`)"));
  const block = /```jsonl\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README has no jsonl block under its Events heading");
  return block[1]!.trim().split("\n");
}

describe("the event stream's schemas", () => {
  it("read every event of the README's example stream", () => {
    const lines = readmeStream();
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const parsed = quireEventSchema.safeParse(JSON.parse(line));
      expect(parsed.success, `${line}\n${parsed.error?.message ?? ""}`).toBe(true);
    }
  });

  it("hold Codex's items that Quire does not write itself", () => {
    const mcp = {
      id: "item_5",
      type: "mcp_tool_call",
      server: "docs",
      tool: "search",
      arguments: { q: "zod" },
      result: { content: [{ type: "text", text: "found" }] },
      error: null,
      status: "completed",
    };
    expect(threadItemSchema.parse(mcp)).toEqual(mcp);
    expect(threadItemSchema.parse({ id: "item_6", type: "web_search", query: "zod 4" }).type).toBe("web_search");
  });

  it("refuse an item or event of no known kind, or with a field of the wrong type", () => {
    expect(threadItemSchema.safeParse({ id: "i", type: "telepathy", text: "?" }).success).toBe(false);
    const command = {
      id: "item_2",
      type: "command_execution",
      command: "ls",
      aggregated_output: "",
      exit_code: "0",
      status: "completed",
    };
    expect(threadItemSchema.safeParse(command).success).toBe(false);
    expect(quireEventSchema.safeParse({ type: "turn.completed", usage: { input_tokens: 1 } }).success).toBe(false);
  });
});

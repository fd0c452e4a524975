import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ThreadItem } from "../events.js";
import type { Sandbox } from "../sandbox/types.js";
import { applyPatchTool } from "./apply-patch.js";
import type { TaskMode, ToolContext } from "./types.js";

const workspaces: string[] = [];
afterEach(() => {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workspaceWith(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "quire-apply-patch-tool-"));
  workspaces.push(root);
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), contents);
  }
  return root;
}

interface Emitted {
  phase: "started" | "updated" | "completed";
  item: ThreadItem;
}

function contextFor(workspace: string, mode: TaskMode): { context: ToolContext; emitted: Emitted[] } {
  const emitted: Emitted[] = [];
  let next = 0;
  // apply_patch never runs commands: a sandbox that is used is a bug.
  const sandbox: Sandbox = {
    backend: "none",
    policy: { workspace, writable: mode === "code", network: false },
    exec: () => Promise.reject(new Error("apply_patch must not run commands")),
  };
  const context: ToolContext = {
    mode,
    workspace,
    sandbox,
    signal: new AbortController().signal,
    limits: { defaultTimeoutMs: 1000, maxTimeoutMs: 1000, maxOutputBytes: 10_000 },
    nextItemId: () => `item_${next++}`,
    emitItem: (phase, item) => emitted.push({ phase, item }),
  };
  return { context, emitted };
}

const wrap = (...lines: string[]) => `*** Begin Patch\n${lines.join("\n")}\n*** End Patch`;

describe("apply_patch tool", () => {
  it("has Codex's name, an { input } schema and a short description", () => {
    expect(applyPatchTool.name).toBe("apply_patch");
    expect(applyPatchTool.schema.safeParse({ input: "x" }).success).toBe(true);
    expect(applyPatchTool.schema.safeParse({ patch: "x" }).success).toBe(false);
    expect(applyPatchTool.description).toContain("*** Begin Patch");
    expect(applyPatchTool.description.length).toBeLessThan(1200);
  });

  it("refuses in ask mode and changes nothing", async () => {
    const root = workspaceWith({ "a.txt": "a\n" });
    const { context, emitted } = contextFor(root, "ask");
    const result = await applyPatchTool.run({ input: wrap("*** Add File: b.txt", "+b") }, context);
    expect(result.output).toMatch(/ask mode.*read-only/);
    expect(() => readFileSync(path.join(root, "b.txt"))).toThrow();
    expect(emitted).toEqual([]);
  });

  it("applies the patch, reports the files and emits one completed file_change", async () => {
    const root = workspaceWith({ "a.txt": "a\n", "old.txt": "o\n", "gone.txt": "g\n" });
    const { context, emitted } = contextFor(root, "code");
    const input = wrap(
      "*** Add File: new/b.txt",
      "+b",
      "*** Update File: a.txt",
      "@@",
      "-a",
      "+A",
      "*** Update File: old.txt",
      "*** Move to: moved/old.txt",
      "@@",
      "-o",
      "+O",
      "*** Delete File: gone.txt",
    );
    const result = await applyPatchTool.run({ input }, context);
    expect(result.output).toBe(
      "Success. Updated the following files:\nA new/b.txt\nM a.txt\nR old.txt -> moved/old.txt\nD gone.txt",
    );
    expect(emitted).toEqual([
      {
        phase: "completed",
        item: {
          id: "item_0",
          type: "file_change",
          status: "completed",
          changes: [
            { path: "new/b.txt", kind: "add" },
            { path: "a.txt", kind: "update" },
            { path: "moved/old.txt", kind: "update" },
            { path: "gone.txt", kind: "delete" },
          ],
        },
      },
    ]);
    expect(readFileSync(path.join(root, "moved/old.txt"), "utf8")).toBe("O\n");
  });

  it("resolves paths from the context's working directory", async () => {
    const root = workspaceWith({ "pkg/a.txt": "a\n" });
    const { context } = contextFor(root, "code");
    context.cwd = path.join(root, "pkg");
    const result = await applyPatchTool.run({ input: wrap("*** Update File: a.txt", "@@", "-a", "+b") }, context);
    expect(result.output).toBe("Success. Updated the following files:\nM pkg/a.txt");
  });

  it("returns the failure naming the file and hunk, and emits a failed file_change with the intended changes", async () => {
    const root = workspaceWith({ "src/a.ts": "one\ntwo\n" });
    const { context, emitted } = contextFor(root, "code");
    const input = wrap(
      "*** Add File: first.txt",
      "+1",
      "*** Update File: src/a.ts",
      "@@",
      "-one",
      "+1",
      "@@",
      "-three",
      "+3",
    );
    const result = await applyPatchTool.run({ input }, context);
    expect(result.output).toBe(
      "apply_patch failed: Failed to find expected lines in src/a.ts (hunk 2):\nthree\n" +
        "These changes were made before the failure and remain:\nA first.txt",
    );
    expect(emitted).toEqual([
      {
        phase: "completed",
        item: {
          id: "item_0",
          type: "file_change",
          status: "failed",
          error: "Failed to find expected lines in src/a.ts (hunk 2):\nthree",
          changes: [
            { path: "first.txt", kind: "add" },
            { path: "src/a.ts", kind: "update" },
          ],
        },
      },
    ]);
  });

  it("returns parse errors and path refusals as text instead of throwing", async () => {
    const root = workspaceWith({});
    const { context, emitted } = contextFor(root, "code");
    const bad = await applyPatchTool.run({ input: "*** Begin Patch\n*** Frobnicate File: x\n*** End Patch" }, context);
    expect(bad.output).toMatch(/^apply_patch failed: Invalid patch hunk on line 2: '\*\*\* Frobnicate File: x'/);
    const hostile = await applyPatchTool.run({ input: wrap("*** Add File: ../escape.txt", "+x") }, context);
    expect(hostile.output).toMatch(/^apply_patch failed: Refused operation 1 .*resolves outside the workspace/);
    expect(emitted.map((entry) => entry.item)).toEqual([
      expect.objectContaining({ type: "file_change", status: "failed", changes: [] }),
      expect.objectContaining({
        type: "file_change",
        status: "failed",
        changes: [{ path: "../escape.txt", kind: "add" }],
      }),
    ]);
  });
});

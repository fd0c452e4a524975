import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathEscapeError, resolveInsideWorkspace } from "./paths.js";

let workspace: string;
beforeEach(() => {
  workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-paths-")));
  mkdirSync(path.join(workspace, "src"));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

describe("resolveInsideWorkspace and the sandbox's neutral /workspace", () => {
  it("takes a path under /workspace (what commands see in bwrap) to the host's workspace", () => {
    expect(resolveInsideWorkspace(workspace, "/workspace/src/a.ts")).toBe(path.join(workspace, "src", "a.ts"));
    expect(resolveInsideWorkspace(workspace, "/workspace")).toBe(workspace);
    expect(resolveInsideWorkspace(workspace, "src/a.ts", { base: workspace })).toBe(
      path.join(workspace, "src", "a.ts"),
    );
  });

  it("still refuses what leads outside, through /workspace too", () => {
    expect(() => resolveInsideWorkspace(workspace, "/workspace/../etc/passwd")).toThrow(PathEscapeError);
    expect(() => resolveInsideWorkspace(workspace, "/workspacex/a")).toThrow(PathEscapeError);
    symlinkSync("/etc", path.join(workspace, "out"));
    expect(() => resolveInsideWorkspace(workspace, "/workspace/out/passwd")).toThrow(PathEscapeError);
    expect(() => resolveInsideWorkspace(workspace, "/workspace/a", { allowAbsolute: false })).toThrow(PathEscapeError);
  });
});

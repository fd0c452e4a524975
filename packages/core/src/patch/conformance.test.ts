/**
 * Codex's own end-to-end fixtures (../shared/conformance/apply-patch/scenarios): each folder has
 * input/ (optional), patch.txt and expected/. Applied in a copy of input/, the patch must leave
 * exactly the files of expected/ (same paths, same bytes); the rejected ones must also throw.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyPatch } from "./apply.js";
import { PatchApplyError, PatchParseError } from "./types.js";

const SCENARIOS = path.resolve(import.meta.dirname, "../../../../../shared/conformance/apply-patch/scenarios");

/** Scenario names say when Codex rejects the patch (rejects_*, *_fails, requires_*, failure_*). */
const MUST_FAIL = /reject|fail|requires/;

function scenarioNames(): string[] {
  if (!existsSync(SCENARIOS)) return [];
  return readdirSync(SCENARIOS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Every file under `root` (workspace-relative, POSIX slashes) with its bytes as hex. Git cannot hold empty directories, so only files count. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(root)) return files;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(root, full).split(path.sep).join("/")] = readFileSync(full).toString("hex");
    }
  };
  walk(root);
  return files;
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("apply_patch conformance (Codex scenarios)", () => {
  const names = scenarioNames();

  it("finds all of Codex's scenarios", () => {
    expect(names.length).toBeGreaterThanOrEqual(23);
  });

  for (const name of names) {
    it(name, async () => {
      const scenario = path.join(SCENARIOS, name);
      const workspace = mkdtempSync(path.join(tmpdir(), "quire-conformance-"));
      temporary.push(workspace);
      const input = path.join(scenario, "input");
      if (existsSync(input)) cpSync(input, workspace, { recursive: true });
      const patch = readFileSync(path.join(scenario, "patch.txt"), "utf8");

      const outcome = await applyPatch(workspace, patch).then(
        () => "applied",
        (error: unknown) => {
          // Anything else (a TypeError, a crash) is a bug, not a rejection.
          if (error instanceof PatchParseError || error instanceof PatchApplyError) return "rejected";
          throw error;
        },
      );

      expect(outcome).toBe(MUST_FAIL.test(name) ? "rejected" : "applied");
      expect(snapshot(workspace)).toEqual(snapshot(path.join(scenario, "expected")));
    });
  }
});

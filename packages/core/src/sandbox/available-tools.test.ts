import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildPreamble } from "../tasks/task-setup.js";
import { availableTools, toolsOnPath } from "./available-tools.js";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-tools-"));
  temps.push(dir);
  return dir;
}

function executable(file: string): void {
  writeFileSync(file, "#!/bin/sh\n");
  chmodSync(file, 0o755);
}

describe("available tools", () => {
  it("finds executables on the PATH, not plain files, directories or links the sandbox cannot follow", () => {
    const [first, second, outside] = [tempDir(), tempDir(), tempDir()];
    executable(path.join(first, "rg"));
    executable(path.join(second, "git"));
    writeFileSync(path.join(first, "python3"), "not executable");
    mkdirSync(path.join(second, "make"));
    executable(path.join(outside, "node"));
    symlinkSync(path.join(outside, "node"), path.join(first, "node"));
    const searchPath = `${first}:relative/dir:${second}`;
    const tools = ["rg", "git", "python3", "make", "node"];
    expect(toolsOnPath(searchPath, tools)).toEqual({ present: ["rg", "git", "node"], missing: ["python3", "make"] });
    // Inside bwrap only the system's directories are there: a link into another folder dangles.
    const visible = (file: string) => !file.startsWith(outside);
    expect(toolsOnPath(searchPath, tools, visible).missing).toContain("node");
  });

  it("looks on the sandbox's PATH for bwrap and on the host's for none, once; says nothing for a container", () => {
    const bin = tempDir();
    executable(path.join(bin, "rg"));
    const none = availableTools("none", bin);
    expect(none?.present).toEqual(["rg"]);
    expect(availableTools("none", bin)).toBe(none);
    // git is a system package wherever these tests run; bwrap's PATH ignores the host's.
    const bwrap = availableTools("bwrap", bin);
    expect(bwrap?.present).toContain("git");
    expect(availableTools("container")).toBeNull();
  });

  it("tells the model in the environment context", async () => {
    const workspace = tempDir();
    const preamble = await buildPreamble({
      home: tempDir(),
      workspace,
      cwd: workspace,
      mode: "code",
      sandbox: "bwrap",
      network: { mode: "off", domains: [], preset: false, methods: "all" },
    });
    const context = preamble.at(-1);
    expect(context?.type === "message" ? context.text : "").toMatch(
      /<available_tools>[^<]*\bgit\b[^<]*<\/available_tools>/,
    );
  });
});

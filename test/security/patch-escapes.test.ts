// A hostile model's patches that try to write or read outside the workspace through
// apply_patch, which runs on the host (not in the sandbox): its path checks are the boundary.
import { existsSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPatchTool } from "../../packages/core/src/tools/apply-patch.js";
import { shellTool } from "../../packages/core/src/tools/shell.js";
import { type HostLayout, makeHostLayout, toolContext, treeOf } from "./attack-helpers.js";

let host: HostLayout;
let outsideBefore: Record<string, string>;
beforeEach(() => {
  host = makeHostLayout();
  outsideBefore = treeOf(host.root);
});
afterEach(() => host.cleanup());

const patch = (...lines: string[]) => `*** Begin Patch\n${lines.join("\n")}\n*** End Patch`;

/** Everything outside this task's workspace, as it was before the attack. */
function expectHostUntouched(): void {
  const strip = (tree: Record<string, string>) =>
    Object.fromEntries(Object.entries(tree).filter(([rel]) => !rel.startsWith("quire-home/tasks/task-a/repo/")));
  expect(strip(treeOf(host.root))).toEqual(strip(outsideBefore));
}

async function applyHostile(input: string, mode: "code" | "ask" = "code"): Promise<string> {
  const { context } = toolContext(host, { mode });
  return (await applyPatchTool.run({ input }, context)).output;
}

describe("apply_patch escapes", () => {
  it("refuses absolute paths and .. paths to other tasks, the snapshot and Quire's home", async () => {
    const targets = [
      path.join(host.outside, "dropped.txt"),
      path.join(host.otherWorkspace, ".env"),
      "../../task-b/repo/.env",
      "../../../config.toml",
      "../../../../snapshots/env-1/setup-output.txt",
      "sub/../../escape.txt",
    ];
    for (const target of targets) {
      const output = await applyHostile(patch(`*** Add File: ${target}`, "+pwned"));
      expect(output, target).toMatch(/^apply_patch failed: Refused/);
    }
    const deleted = await applyHostile(patch(`*** Delete File: ../../../quire.db`));
    expect(deleted).toMatch(/^apply_patch failed: Refused/);
    expectHostUntouched();
  });

  it("refuses to write through a directory symlink in the repository that points outside", async () => {
    symlinkSync(host.outside, path.join(host.workspace, "link-out"));
    symlinkSync(host.quireHome, path.join(host.workspace, "docs"));
    for (const target of ["link-out/dropped.txt", "link-out/secret.txt", "docs/config.toml", "docs/tasks/x/y.txt"]) {
      const output = await applyHostile(patch(`*** Add File: ${target}`, "+pwned"));
      expect(output, target).toMatch(/^apply_patch failed: Refused/);
    }
    expectHostUntouched();
  });

  it("refuses to update a file symlink pointing outside, and does not leak the target's contents", async () => {
    symlinkSync(path.join(host.outside, "secret.txt"), path.join(host.workspace, "notes.txt"));
    symlinkSync(path.join(host.quireHome, "config.toml"), path.join(host.workspace, "config.toml"));
    const update = await applyHostile(patch("*** Update File: notes.txt", "@@", `-${host.secret}`, "+pwned"));
    expect(update).toMatch(/^apply_patch failed: Refused/);
    // A wrong context would echo what the file holds: the refusal must come before any read.
    const probe = await applyHostile(patch("*** Update File: config.toml", "@@", "-guess", "+pwned"));
    expect(probe).toMatch(/^apply_patch failed: Refused/);
    expect(`${update}${probe}`).not.toContain(host.secret);
    expectHostUntouched();
  });

  it("refuses a chain of symlinks and a dangling one that would create a file outside", async () => {
    symlinkSync(path.join(host.outside), path.join(host.workspace, "hop2"));
    symlinkSync("hop2", path.join(host.workspace, "hop1"));
    symlinkSync(path.join(host.outside, "new-file.txt"), path.join(host.workspace, "dangling"));
    for (const target of ["hop1/new.txt", "dangling"]) {
      const output = await applyHostile(patch(`*** Add File: ${target}`, "+pwned"));
      expect(output, target).toMatch(/^apply_patch failed: Refused/);
    }
    expect(existsSync(path.join(host.outside, "new-file.txt"))).toBe(false);
    expectHostUntouched();
  });

  it("refuses a move whose destination leads outside, and keeps the source", async () => {
    writeFileSync(path.join(host.workspace, "src.txt"), "line\n");
    symlinkSync(host.outside, path.join(host.workspace, "out"));
    for (const destination of ["out/stolen.txt", "../../task-b/repo/stolen.txt", path.join(host.outside, "x.txt")]) {
      const output = await applyHostile(
        patch("*** Update File: src.txt", `*** Move to: ${destination}`, "@@", "-line", "+moved"),
      );
      expect(output, destination).toMatch(/^apply_patch failed: Refused/);
    }
    expect(treeOf(host.workspace)["src.txt"]).toBe("line\n");
    expectHostUntouched();
  });

  it("deleting a symlink that points outside never deletes its target", async () => {
    symlinkSync(path.join(host.outside, "secret.txt"), path.join(host.workspace, "victim"));
    const output = await applyHostile(patch("*** Delete File: victim"));
    // Refusing is fine too; removing the link is; removing the target is not.
    expect(output).toMatch(/^(Success|apply_patch failed: Refused)/);
    expectHostUntouched();
  });

  it("a symlink the agent makes with the shell does not open a way out for the next patch", async () => {
    const { context } = toolContext(host);
    mkdirSync(path.join(host.workspace, "src"));
    const shell = await shellTool.run(
      {
        command: [
          "bash",
          "-c",
          `ln -s ${host.outside} src/gen && ln -s ${path.join(host.quireHome, "config.toml")} settings.toml && ln -s ../.. up && echo linked`,
        ],
      },
      context,
    );
    expect(shell.output).toContain("linked");
    expect(readlinkSync(path.join(host.workspace, "src/gen"))).toBe(host.outside); // the links exist on the host
    const attacks = [
      patch("*** Add File: src/gen/payload.sh", "+pwned"),
      patch("*** Update File: settings.toml", "@@", "-x", "+pwned"),
      patch("*** Add File: up/task-b/repo/.env", "+pwned"),
    ];
    for (const attack of attacks) {
      const output = (await applyPatchTool.run({ input: attack }, context)).output;
      expect(output).toMatch(/^apply_patch failed: Refused/);
    }
    expectHostUntouched();
  });

  it("refuses the whole patch when any path is hostile: nothing before it is written", async () => {
    const output = await applyHostile(
      patch("*** Add File: innocent.txt", "+ok", `*** Add File: ${path.join(host.outside, "x.txt")}`, "+pwned"),
    );
    expect(output).toMatch(/^apply_patch failed: Refused/);
    expect(existsSync(path.join(host.workspace, "innocent.txt"))).toBe(false);
    expectHostUntouched();
  });

  it("in ask mode refuses any patch", async () => {
    const output = await applyHostile(patch("*** Add File: innocent.txt", "+ok"), "ask");
    expect(output).toMatch(/refused: this task is in ask mode/);
    expect(treeOf(host.workspace)).toEqual({ "README.md": "a task's repository\n" });
  });
});

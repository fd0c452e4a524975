/**
 * Paths a hostile (or confused) model may put in a patch. Each must be refused, and nothing may
 * change anywhere: not outside the workspace, and not inside it either (path safety is checked
 * for every operation before the first write).
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyPatch } from "./apply.js";
import { PatchApplyError } from "./types.js";

interface Playground {
  top: string;
  workspace: string;
  outside: string;
}

const playgrounds: string[] = [];
afterEach(() => {
  for (const dir of playgrounds.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A workspace next to an `outside` directory, with the links a hostile repository could contain. */
function playground(): Playground {
  const top = mkdtempSync(path.join(tmpdir(), "quire-hostile-"));
  playgrounds.push(top);
  const workspace = path.join(top, "ws");
  const outside = path.join(top, "outside");
  mkdirSync(path.join(workspace, "sub"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, "secret.txt"), "secret\n");
  writeFileSync(path.join(workspace, "keep.txt"), "keep\n");
  writeFileSync(path.join(workspace, "sub", "inner.txt"), "inner\n");
  symlinkSync(outside, path.join(workspace, "linkdir"));
  symlinkSync(path.join(outside, "secret.txt"), path.join(workspace, "leak.txt"));
  symlinkSync(path.join(outside, "nothing.txt"), path.join(workspace, "dangling.txt"));
  return { top, workspace, outside };
}

/** Everything under `root`, without following links: type plus contents or link target. */
function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const key = path.relative(root, full);
      const stats = lstatSync(full);
      if (stats.isSymbolicLink()) entries[key] = `link -> ${readlinkSync(full)}`;
      else if (stats.isDirectory()) {
        entries[key] = "dir";
        walk(full);
      } else entries[key] = `file ${readFileSync(full, "utf8")}`;
    }
  };
  walk(root);
  return entries;
}

const wrap = (body: string) => `*** Begin Patch\n${body}\n*** End Patch`;
const add = (p: string) => wrap(`*** Add File: ${p}\n+pwned`);
const update = (p: string) => wrap(`*** Update File: ${p}\n@@\n-secret\n+pwned`);
const del = (p: string) => wrap(`*** Delete File: ${p}`);
const move = (from: string, to: string) => wrap(`*** Update File: ${from}\n*** Move to: ${to}\n@@\n-keep\n+moved`);

async function expectRefused(pg: Playground, patch: string, options?: { base: string }): Promise<PatchApplyError> {
  const before = snapshot(pg.top);
  const error = await applyPatch(pg.workspace, patch, options).then(
    () => new Error("the patch was applied"),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PatchApplyError);
  const refusal = error as PatchApplyError;
  expect(refusal.details.refusedPath).toBe(true);
  expect(refusal.details.applied).toEqual([]);
  expect(refusal.message).toMatch(/refused/);
  expect(snapshot(pg.top)).toEqual(before);
  return refusal;
}

describe("hostile paths in a patch", () => {
  it("refuses absolute paths, even ones inside the workspace", async () => {
    const pg = playground();
    await expectRefused(pg, add(path.join(pg.outside, "new.txt")));
    const error = await expectRefused(pg, add(path.join(pg.workspace, "inside.txt")));
    expect(error.message).toMatch(/absolute paths are not allowed/);
    await expectRefused(pg, update(path.join(pg.outside, "secret.txt")));
    await expectRefused(pg, del(path.join(pg.outside, "secret.txt")));
  });

  it("refuses .. escapes, direct and through a subdirectory", async () => {
    const pg = playground();
    await expectRefused(pg, add("../outside/new.txt"));
    await expectRefused(pg, add("sub/../../outside/new.txt"));
    await expectRefused(pg, update("../outside/secret.txt"));
    await expectRefused(pg, del("sub/../../outside/secret.txt"));
  });

  it("refuses a symlinked directory that points outside, for every operation", async () => {
    const pg = playground();
    await expectRefused(pg, add("linkdir/new.txt"));
    await expectRefused(pg, add("linkdir/deeper/new.txt"));
    await expectRefused(pg, update("linkdir/secret.txt"));
    await expectRefused(pg, del("linkdir/secret.txt"));
  });

  it("refuses a symlinked file that points outside: add, update, delete and move through it", async () => {
    const pg = playground();
    await expectRefused(pg, add("leak.txt"));
    await expectRefused(pg, update("leak.txt"));
    await expectRefused(pg, del("leak.txt"));
    // Moving it in would copy the outside file's contents into the workspace.
    await expectRefused(pg, wrap("*** Update File: leak.txt\n*** Move to: stolen.txt\n@@\n-secret\n+secret"));
  });

  it("refuses a dangling symlink whose target would be created outside", async () => {
    const pg = playground();
    await expectRefused(pg, add("dangling.txt"));
  });

  it("refuses move destinations outside the workspace", async () => {
    const pg = playground();
    await expectRefused(pg, move("keep.txt", "../outside/keep.txt"));
    await expectRefused(pg, move("keep.txt", "linkdir/keep.txt"));
    await expectRefused(pg, move("keep.txt", "leak.txt"));
    await expectRefused(pg, move("keep.txt", path.join(pg.outside, "keep.txt")));
  });

  it("refuses the workspace root itself, empty paths and NUL bytes", async () => {
    const pg = playground();
    expect((await expectRefused(pg, del("."))).message).toMatch(/names the workspace root itself/);
    await expectRefused(pg, del("sub/.."));
    await expectRefused(pg, add("."));
    await expectRefused(pg, wrap("*** Update File: keep.txt\n*** Move to: \n@@\n-keep\n+x"));
    await expectRefused(pg, add("bad\0name.txt"));
  });

  it("refuses the whole patch when a later operation is hostile, before writing the earlier ones", async () => {
    const pg = playground();
    const patch = wrap(
      [
        "*** Add File: created.txt",
        "+fine",
        "*** Update File: keep.txt",
        "@@",
        "-keep",
        "+changed",
        "*** Add File: ../outside/evil.txt",
        "+pwned",
      ].join("\n"),
    );
    const error = await expectRefused(pg, patch);
    expect(error.message).toMatch(/^Refused operation 3 \(Add File: \.\.\/outside\/evil\.txt\)/);
    expect(error.message).toMatch(/No files were changed/);
  });

  it("refuses a base directory outside the workspace", async () => {
    const pg = playground();
    await expectRefused(pg, add("new.txt"), { base: pg.outside });
    await expectRefused(pg, add("new.txt"), { base: "../outside" });
    await expectRefused(pg, add("new.txt"), { base: "linkdir" });
  });
});

describe("symlinks that stay inside the workspace", () => {
  it("deleting a symlink removes the link, never its target", async () => {
    const pg = playground();
    symlinkSync("keep.txt", path.join(pg.workspace, "alias.txt"));
    await applyPatch(pg.workspace, del("alias.txt"));
    expect(() => lstatSync(path.join(pg.workspace, "alias.txt"))).toThrow();
    expect(readFileSync(path.join(pg.workspace, "keep.txt"), "utf8")).toBe("keep\n");
  });

  it("updating through a symlink edits its target, as Codex does", async () => {
    const pg = playground();
    symlinkSync("keep.txt", path.join(pg.workspace, "alias.txt"));
    const changes = await applyPatch(pg.workspace, wrap("*** Update File: alias.txt\n@@\n-keep\n+kept"));
    expect(changes).toEqual([{ kind: "update", path: "alias.txt" }]);
    expect(readFileSync(path.join(pg.workspace, "keep.txt"), "utf8")).toBe("kept\n");
    expect(lstatSync(path.join(pg.workspace, "alias.txt")).isSymbolicLink()).toBe(true);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyParsedPatch, applyPatch } from "./apply.js";
import { summarizeChanges } from "./summary.js";
import { PatchApplyError } from "./types.js";

const workspaces: string[] = [];
afterEach(() => {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workspaceWith(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(tmpdir(), "quire-apply-"));
  workspaces.push(root);
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), contents);
  }
  return root;
}

const read = (root: string, name: string) => readFileSync(path.join(root, name), "utf8");
const wrap = (...lines: string[]) => `*** Begin Patch\n${lines.join("\n")}\n*** End Patch`;

async function applyError(root: string, patch: string): Promise<PatchApplyError> {
  const error = await applyPatch(root, patch).then(
    () => new Error("the patch was applied"),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PatchApplyError);
  return error as PatchApplyError;
}

describe("applyPatch", () => {
  it("reports each change with workspace-relative POSIX paths, in patch order", async () => {
    const root = workspaceWith({ "src/a.ts": "one\ntwo\n", "old/b.ts": "b\n", "gone.txt": "x\n" });
    const changes = await applyPatch(
      root,
      wrap(
        "*** Update File: src/a.ts",
        "@@",
        "-two",
        "+2",
        "*** Add File: new/c.ts",
        "+c",
        "*** Update File: old/b.ts",
        "*** Move to: moved/b.ts",
        "@@",
        "-b",
        "+B",
        "*** Delete File: gone.txt",
      ),
    );
    expect(changes).toEqual([
      { kind: "update", path: "src/a.ts" },
      { kind: "add", path: "new/c.ts" },
      { kind: "update", path: "old/b.ts", movePath: "moved/b.ts" },
      { kind: "delete", path: "gone.txt" },
    ]);
    expect(read(root, "src/a.ts")).toBe("one\n2\n");
    expect(read(root, "moved/b.ts")).toBe("B\n");
  });

  it("names the file and the hunk whose lines were not found, and keeps earlier operations", async () => {
    const root = workspaceWith({ "src/a.ts": "alpha\nbeta\ngamma\n" });
    const error = await applyError(
      root,
      wrap(
        "*** Add File: first.txt",
        "+1",
        "*** Update File: src/a.ts",
        "@@",
        "-alpha",
        "+ALPHA",
        "@@",
        " beta",
        "-delta",
      ),
    );
    expect(error.message).toBe("Failed to find expected lines in src/a.ts (hunk 2):\nbeta\ndelta");
    expect(error.details.path).toBe("src/a.ts");
    expect(error.details.applied).toEqual([{ kind: "add", path: "first.txt" }]);
    expect(read(root, "first.txt")).toBe("1\n");
    expect(read(root, "src/a.ts")).toBe("alpha\nbeta\ngamma\n");
  });

  it("names the context line that was not found", async () => {
    const root = workspaceWith({ "a.py": "def f():\n    pass\n" });
    const error = await applyError(root, wrap("*** Update File: a.py", "@@ def g():", "-    pass", "+    return 1"));
    expect(error.message).toBe("Failed to find context 'def g():' in a.py (hunk 1)");
  });

  it("uses the @@ context line to pick the right occurrence", async () => {
    const root = workspaceWith({ "a.py": "def f():\n    pass\ndef g():\n    pass\n" });
    await applyPatch(root, wrap("*** Update File: a.py", "@@ def g():", "-    pass", "+    return 1"));
    expect(read(root, "a.py")).toBe("def f():\n    pass\ndef g():\n    return 1\n");
  });

  it("appends a pure addition at the end of the file, as Codex does", async () => {
    const root = workspaceWith({ "a.txt": "line1\nline2\nline3\n" });
    await applyPatch(
      root,
      wrap(
        "*** Update File: a.txt",
        "@@",
        "+after-context",
        "+second-line",
        "@@",
        " line1",
        "-line2",
        "-line3",
        "+line2-replacement",
      ),
    );
    expect(read(root, "a.txt")).toBe("line1\nline2-replacement\nafter-context\nsecond-line\n");
  });

  it("matches the end of the file with *** End of File", async () => {
    const root = workspaceWith({ "a.txt": "x\nend\nx\nend\n" });
    await applyPatch(root, wrap("*** Update File: a.txt", "@@", " x", "-end", "+END", "*** End of File"));
    expect(read(root, "a.txt")).toBe("x\nend\nx\nEND\n");
  });

  it("resolves paths from the base directory and reports them from the workspace root", async () => {
    const root = workspaceWith({ "pkg/a.txt": "a\n" });
    const changes = await applyPatch(
      root,
      wrap("*** Update File: a.txt", "@@", "-a", "+b", "*** Add File: ../top.txt", "+t"),
      {
        base: "pkg",
      },
    );
    expect(changes).toEqual([
      { kind: "update", path: "pkg/a.txt" },
      { kind: "add", path: "top.txt" },
    ]);
    expect(read(root, "pkg/a.txt")).toBe("b\n");
    expect(read(root, "top.txt")).toBe("t\n");
  });

  it("explains a missing file, a directory to delete, and a file that is not UTF-8", async () => {
    const root = workspaceWith({ "dir/x.txt": "x\n", "bin.dat": Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]) });
    expect((await applyError(root, wrap("*** Update File: missing.txt", "@@", "-a", "+b"))).message).toBe(
      "Failed to read file to update missing.txt: no such file or directory",
    );
    expect((await applyError(root, wrap("*** Delete File: missing.txt"))).message).toBe(
      "Failed to delete file missing.txt: no such file or directory",
    );
    expect((await applyError(root, wrap("*** Delete File: dir"))).message).toBe(
      "Failed to delete file dir: it is a directory",
    );
    expect((await applyError(root, wrap("*** Update File: bin.dat", "@@", "-A", "+B"))).message).toBe(
      "Failed to read file to update bin.dat: it is not valid UTF-8 text",
    );
    expect(readFileSync(path.join(root, "bin.dat"))).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]));
  });

  it("keeps a byte order mark, and CRLF line endings in a CRLF file", async () => {
    const root = workspaceWith({
      "bom.txt": "\uFEFFfirst\nsecond\n",
      "crlf.txt": "a\r\nb\r\n",
      "mixed.txt": "a\r\nb\n",
    });
    await applyPatch(root, wrap("*** Update File: bom.txt", "@@", "-second", "+2nd"));
    expect(read(root, "bom.txt")).toBe("\uFEFFfirst\n2nd\n");
    await applyPatch(root, wrap("*** Update File: crlf.txt", "@@", " a", "-b", "+c", "+d"));
    expect(read(root, "crlf.txt")).toBe("a\r\nc\r\nd\r\n");
    // Not consistently CRLF: lines are compared with the CR as trailing whitespace, as Codex does.
    await applyPatch(root, wrap("*** Update File: mixed.txt", "@@", "-a", "+A"));
    expect(read(root, "mixed.txt")).toBe("A\nb\n");
  });

  it("rejects an empty parsed patch and a workspace that does not exist", async () => {
    const root = workspaceWith({});
    await expect(applyParsedPatch(root, { hunks: [] })).rejects.toThrow("No files were modified.");
    await expect(applyPatch(path.join(root, "missing"), wrap("*** Add File: a", "+a"))).rejects.toThrow(
      "Cannot open the workspace: no such file or directory",
    );
  });

  it("does not lose a file moved onto itself", async () => {
    const root = workspaceWith({ "same.txt": "old\n" });
    await applyPatch(root, wrap("*** Update File: same.txt", "*** Move to: same.txt", "@@", "-old", "+new"));
    expect(read(root, "same.txt")).toBe("new\n");
  });
});

describe("summarizeChanges", () => {
  it("lists added, then modified and moved, then deleted files", () => {
    expect(
      summarizeChanges([
        { kind: "delete", path: "gone.txt" },
        { kind: "update", path: "a.ts" },
        { kind: "add", path: "new.ts" },
        { kind: "update", path: "old.ts", movePath: "dir/new-name.ts" },
      ]),
    ).toBe("A new.ts\nM a.ts\nR old.ts -> dir/new-name.ts\nD gone.txt");
  });
});

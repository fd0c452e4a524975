import { describe, expect, it } from "vitest";
import { parsePatch } from "./parse.js";
import { PatchParseError } from "./types.js";

const wrap = (body: string) => `*** Begin Patch\n${body}\n*** End Patch`;

function parseError(text: string): PatchParseError {
  try {
    parsePatch(text);
  } catch (error) {
    if (error instanceof PatchParseError) return error;
    throw error;
  }
  throw new Error("expected a PatchParseError");
}

describe("parsePatch", () => {
  it("parses add, delete and update-with-move hunks", () => {
    const patch = wrap(
      [
        "*** Add File: path/add.py",
        "+abc",
        "+def",
        "*** Delete File: path/delete.py",
        "*** Update File: path/update.py",
        "*** Move to: path/update2.py",
        "@@ def f():",
        "-    pass",
        "+    return 123",
      ].join("\n"),
    );
    expect(parsePatch(patch).hunks).toEqual([
      { kind: "add", path: "path/add.py", contents: "abc\ndef\n" },
      { kind: "delete", path: "path/delete.py" },
      {
        kind: "update",
        path: "path/update.py",
        movePath: "path/update2.py",
        chunks: [
          { changeContext: "def f():", oldLines: ["    pass"], newLines: ["    return 123"], isEndOfFile: false },
        ],
      },
    ]);
  });

  it("gives an Add File with no lines empty contents", () => {
    expect(parsePatch(wrap("*** Add File: empty.txt")).hunks).toEqual([
      { kind: "add", path: "empty.txt", contents: "" },
    ]);
  });

  it("accepts markers and file headers padded with whitespace", () => {
    const patch = " *** Begin Patch \n  *** Update File: foo.txt  \n@@\n-old\n+new\n\t*** End Patch ";
    expect(parsePatch(patch).hunks).toEqual([
      { kind: "update", path: "foo.txt", chunks: [{ oldLines: ["old"], newLines: ["new"], isEndOfFile: false }] },
    ]);
  });

  it("accepts CRLF line endings", () => {
    const patch = "*** Begin Patch\r\n*** Add File: a.txt\r\n+one\r\n*** End Patch\r\n";
    expect(parsePatch(patch).hunks).toEqual([{ kind: "add", path: "a.txt", contents: "one\n" }]);
  });

  it("lets the first chunk omit @@ but requires it for the next ones", () => {
    const ok = wrap("*** Update File: file2.py\n import foo\n+bar");
    expect(parsePatch(ok).hunks).toEqual([
      {
        kind: "update",
        path: "file2.py",
        chunks: [{ oldLines: ["import foo"], newLines: ["import foo", "bar"], isEndOfFile: false }],
      },
    ]);
    const error = parseError(wrap("*** Update File: a.py\n@@\n-x\n+y\nbad"));
    expect(error.message).toBe(
      "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: 'bad'",
    );
    expect(error.lineNumber).toBe(6);
  });

  it("reads empty lines as empty context, skips blank lines between chunks, and marks *** End of File", () => {
    const patch = wrap("*** Update File: a.txt\n@@ ctx\n\n keep\n-old\n+new\n\n@@\n last\n+tail\n*** End of File");
    expect(parsePatch(patch).hunks).toEqual([
      {
        kind: "update",
        path: "a.txt",
        chunks: [
          {
            changeContext: "ctx",
            oldLines: ["", "keep", "old", ""],
            newLines: ["", "keep", "new", ""],
            isEndOfFile: false,
          },
          { oldLines: ["last"], newLines: ["last", "tail"], isEndOfFile: true },
        ],
      },
    ]);
  });

  it("unwraps a patch sent inside a heredoc", () => {
    const inner = wrap("*** Add File: foo\n+hi");
    for (const opener of ["<<EOF", "<<'EOF'", '<<"EOF"']) {
      expect(parsePatch(`${opener}\n${inner}\nEOF\n`).hunks).toEqual([{ kind: "add", path: "foo", contents: "hi\n" }]);
    }
    expect(parseError(`<<"EOF'\n${inner}\nEOF\n`).message).toContain("The first line of the patch must be");
  });

  it("names the line and the valid headers for an invalid hunk header", () => {
    const error = parseError("*** Begin Patch\n*** Add File: ok.txt\n+x\n*** Frobnicate File: foo\n*** End Patch");
    expect(error.lineNumber).toBe(4);
    expect(error.message).toBe(
      "Invalid patch hunk on line 4: '*** Frobnicate File: foo' is not a valid hunk header. " +
        "Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'",
    );
  });

  it("counts lines from the caller's text, leading blank lines included", () => {
    expect(parseError("\n\n*** Begin Patch\n*** Nope\n*** End Patch").lineNumber).toBe(4);
  });

  it("rejects missing Begin and End markers, naming the offending line", () => {
    expect(parseError("bad").message).toBe(
      "Invalid patch: The first line of the patch must be '*** Begin Patch' (line 1 is 'bad').",
    );
    const error = parseError("*** Begin Patch\n*** Add File: a\n+x");
    expect(error.message).toBe("Invalid patch: The last line of the patch must be '*** End Patch' (line 3 is '+x').");
    expect(error.lineNumber).toBe(3);
  });

  it("rejects an empty patch and an empty input", () => {
    expect(parseError("*** Begin Patch\n*** End Patch").message).toMatch(/no file operations/);
    expect(parseError("  \n").message).toMatch(/empty/);
  });

  it("rejects an update with no chunks, and chunks without lines", () => {
    expect(parseError(wrap("*** Update File: test.py")).message).toBe(
      "Invalid patch hunk on line 2: Update file hunk for path 'test.py' is empty",
    );
    expect(parseError(wrap("*** Update File: a\n@@\n*** End of File")).message).toBe(
      "Invalid patch hunk on line 4: Update hunk does not contain any lines",
    );
    expect(parseError(wrap("*** Update File: a\n@@\nbad")).message).toMatch(
      /^Invalid patch hunk on line 4: Unexpected line found in update hunk: 'bad'/,
    );
  });
});

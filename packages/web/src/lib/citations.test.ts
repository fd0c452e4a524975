import { describe, expect, it } from "vitest";
import { findCommand, parseFileCitation, rehypeCitations } from "./citations";

describe("citations", () => {
  it("reads path:line, with a directory or an extension", () => {
    expect(parseFileCitation("src/add.js:2")).toEqual({ path: "src/add.js", line: 2 });
    expect(parseFileCitation("./test.js:10-12")).toEqual({ path: "test.js", line: 10 });
    expect(parseFileCitation("packages/web/Makefile:3")).toEqual({ path: "packages/web/Makefile", line: 3 });
    expect(parseFileCitation("add")).toBeUndefined();
    expect(parseFileCitation("src/add.js")).toBeUndefined();
    expect(parseFileCitation("see src/add.js:2")).toBeUndefined();
  });

  it("finds the latest command an inline code span names", () => {
    const commands = [
      { key: "r0:item_1", command: "node test.js" },
      { key: "r0:item_4", command: "bash -lc 'node test.js'" },
      { key: "r0:item_5", command: "ls" },
    ];
    expect(findCommand(commands, "node test.js")).toBe("r0:item_4");
    expect(findCommand(commands, "ls")).toBe("r0:item_5");
    // One word inside a longer command is not a citation of it.
    expect(findCommand(commands, "node")).toBeUndefined();
  });

  it("links citations in text and inline code, and leaves code blocks alone", () => {
    const text = (value: string) => ({ type: "text" as const, value });
    const element = (tagName: string, children: unknown[]) => ({
      type: "element" as const,
      tagName,
      properties: {},
      children,
    });
    const tree = {
      type: "root" as const,
      children: [
        element("p", [text("Fixed src/add.js:2, see "), element("code", [text("node test.js")]), text(".")]),
        element("pre", [element("code", [text("src/add.js:2")])]),
      ],
    };
    rehypeCitations({ commandKey: (code) => (code === "node test.js" ? "r0:item_1" : undefined) })(tree as never);
    const paragraph = tree.children[0]!.children as {
      tagName?: string;
      properties?: Record<string, unknown>;
      value?: string;
    }[];
    expect(paragraph.map((node) => node.tagName ?? node.value)).toEqual(["Fixed ", "a", ", see ", "code", "."]);
    expect(paragraph[1]!.properties).toMatchObject({ dataCiteFile: "src/add.js", dataCiteLine: 2 });
    expect(paragraph[3]!.properties).toMatchObject({ dataCiteCommand: "r0:item_1" });
    expect(JSON.stringify(tree.children[1])).not.toContain("dataCite");
  });
});

import { describe, expect, it } from "vitest";
import { buildFileTree, directoryPaths, type TreeDirectory, type TreeNode } from "./file-tree";

function shape(node: TreeNode): unknown {
  if (node.kind === "file") return `${node.name} +${node.added} -${node.deleted} #${node.index}`;
  return { [`${node.name}/ +${node.added} -${node.deleted}`]: node.children.map(shape) };
}

describe("buildFileTree", () => {
  it("nests files under their directories with the +/− of everything below", () => {
    const tree = buildFileTree([
      { name: "src/lib/a.ts", added: 3, deleted: 1 },
      { name: "README.md", added: 1, deleted: 0 },
      { name: "src/lib/b.ts", added: 2, deleted: 2 },
      { name: "src/main.ts", added: 0, deleted: 4 },
    ]);
    expect(tree.added).toBe(6);
    expect(tree.deleted).toBe(7);
    expect(tree.children.map(shape)).toEqual([
      { "src/ +5 -7": [{ "lib/ +5 -3": ["a.ts +3 -1 #0", "b.ts +2 -2 #2"] }, "main.ts +0 -4 #3"] },
      "README.md +1 -0 #1",
    ]);
  });

  it("shows a chain of lone directories as one row", () => {
    const tree = buildFileTree([
      { name: "packages/web/src/App.tsx", added: 1, deleted: 1 },
      { name: "packages/web/src/main.tsx", added: 2, deleted: 0 },
    ]);
    expect(tree.children.map(shape)).toEqual([
      { "packages/web/src/ +3 -1": ["App.tsx +1 -1 #0", "main.tsx +2 -0 #1"] },
    ]);
    expect(directoryPaths(tree)).toEqual(["packages/web/src"]);
  });

  it("keeps directories first and names sorted, and gives each directory its full path", () => {
    const tree = buildFileTree([
      { name: "z.txt", added: 1, deleted: 0 },
      { name: "b/x.txt", added: 1, deleted: 0 },
      { name: "a/y.txt", added: 1, deleted: 0 },
      { name: "a/deep/q.txt", added: 1, deleted: 0 },
    ]);
    expect(tree.children.map((child) => child.path)).toEqual(["a", "b", "z.txt"]);
    const a = tree.children[0] as TreeDirectory;
    expect(a.children.map((child) => child.path)).toEqual(["a/deep", "a/y.txt"]);
    expect(directoryPaths(tree)).toEqual(["a", "a/deep", "b"]);
  });
});

/**
 * The changed files as a tree of directories, each with the +/− of everything under it.
 * A directory holding nothing but one other directory is shown as one row ("src/lib").
 */
export interface TreeFile {
  kind: "file";
  name: string;
  path: string;
  /** The file's index in the diff, to scroll to it. */
  index: number;
  added: number;
  deleted: number;
}

export interface TreeDirectory {
  kind: "directory";
  name: string;
  path: string;
  added: number;
  deleted: number;
  children: TreeNode[];
}

export type TreeNode = TreeFile | TreeDirectory;

export function buildFileTree(files: readonly { name: string; added: number; deleted: number }[]): TreeDirectory {
  const root: TreeDirectory = { kind: "directory", name: "", path: "", added: 0, deleted: 0, children: [] };
  files.forEach((file, index) => {
    const parts = file.name.split("/").filter((part) => part !== "");
    let directory = root;
    for (const part of parts.slice(0, -1)) {
      directory.added += file.added;
      directory.deleted += file.deleted;
      directory = childDirectory(directory, part);
    }
    directory.added += file.added;
    directory.deleted += file.deleted;
    const name = parts[parts.length - 1] ?? file.name;
    directory.children.push({ kind: "file", name, path: file.name, index, added: file.added, deleted: file.deleted });
  });
  return sortTree(compress(root));
}

function childDirectory(parent: TreeDirectory, name: string): TreeDirectory {
  const found = parent.children.find(
    (child): child is TreeDirectory => child.kind === "directory" && child.name === name,
  );
  if (found) return found;
  const path = parent.path ? `${parent.path}/${name}` : name;
  const created: TreeDirectory = { kind: "directory", name, path, added: 0, deleted: 0, children: [] };
  parent.children.push(created);
  return created;
}

/** Joins chains of single-directory directories (not the root) into one row. */
function compress(directory: TreeDirectory): TreeDirectory {
  let current = directory;
  while (current.path !== "" && current.children.length === 1 && current.children[0]?.kind === "directory") {
    const only = current.children[0];
    current = { ...only, name: `${current.name}/${only.name}` };
  }
  return {
    ...current,
    children: current.children.map((child) => (child.kind === "directory" ? compress(child) : child)),
  };
}

/** Directories first, then files, each by name. */
function sortTree(directory: TreeDirectory): TreeDirectory {
  const children = [...directory.children]
    .map((child) => (child.kind === "directory" ? sortTree(child) : child))
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "directory" ? -1 : 1));
  return { ...directory, children };
}

/** Every directory path of the tree, for "collapse all". */
export function directoryPaths(directory: TreeDirectory): string[] {
  return directory.children.flatMap((child) =>
    child.kind === "directory" ? [child.path, ...directoryPaths(child)] : [],
  );
}

/** The changed files as a tree: directories fold, every row has its +/−; a file scrolls the diff to it. */
import { useMemo, useState } from "react";
import { DiffStatsText } from "../StatusBadge";
import { buildFileTree, directoryPaths, type TreeDirectory } from "./file-tree";

interface Props {
  files: readonly { name: string; added: number; deleted: number }[];
  onOpen(index: number): void;
}

export function FileTree({ files, onOpen }: Props) {
  const tree = useMemo(() => buildFileTree(files), [files]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (path: string): void =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  const directories = directoryPaths(tree);

  return (
    <nav className="file-tree" aria-label="Changed files">
      <div className="file-tree-head">
        <span>
          {files.length === 1 ? "1 file" : `${files.length} files`}{" "}
          <DiffStatsText insertions={tree.added} deletions={tree.deleted} />
        </span>
        {directories.length > 0 && (
          <button
            type="button"
            className="quiet small"
            onClick={() => setCollapsed(collapsed.size > 0 ? new Set() : new Set(directories))}
          >
            {collapsed.size > 0 ? "Expand all" : "Collapse all"}
          </button>
        )}
      </div>
      <Directory directory={tree} depth={0} collapsed={collapsed} onToggle={toggle} onOpen={onOpen} />
    </nav>
  );
}

interface DirectoryProps {
  directory: TreeDirectory;
  depth: number;
  collapsed: ReadonlySet<string>;
  onToggle(path: string): void;
  onOpen(index: number): void;
}

function Directory({ directory, depth, collapsed, onToggle, onOpen }: DirectoryProps) {
  return (
    <ul className={depth === 0 ? "tree-level tree-root" : "tree-level"}>
      {directory.children.map((child) => {
        if (child.kind === "file") {
          return (
            <li key={child.path} className="tree-file" data-path={child.path}>
              <button type="button" className="tree-row link" title={child.path} onClick={() => onOpen(child.index)}>
                {child.name}
              </button>
              <DiffStatsText insertions={child.added} deletions={child.deleted} />
            </li>
          );
        }
        const open = !collapsed.has(child.path);
        return (
          <li key={child.path} className="tree-directory" data-path={child.path}>
            <button
              type="button"
              className="tree-row tree-toggle"
              aria-expanded={open}
              title={child.path}
              onClick={() => onToggle(child.path)}
            >
              <span className="chevron" aria-hidden="true">
                {open ? "▾" : "▸"}
              </span>
              {child.name}/
            </button>
            <DiffStatsText insertions={child.added} deletions={child.deleted} />
            {open && (
              <Directory
                directory={child}
                depth={depth + 1}
                collapsed={collapsed}
                onToggle={onToggle}
                onOpen={onOpen}
              />
            )}
          </li>
        );
      })}
    </ul>
  );
}

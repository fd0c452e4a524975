/**
 * Confining the paths a patch names to the workspace. Every path goes through
 * resolveInsideWorkspace (no absolute paths, no `..` escapes, no symlinks leading out); this file
 * adds what a patch needs on top: the directory entry itself (to delete a symlink, not its target)
 * and the workspace-relative name reported back.
 */
import path from "node:path";
import { PathEscapeError, resolveInsideWorkspace } from "../paths.js";

/** The workspace a patch is applied to, and the directory its relative paths start from. */
export interface PatchRoot {
  workspace: string;
  /** realpath of the workspace. */
  realRoot: string;
  /** realpath-resolved directory inside the workspace that patch paths are relative to. */
  base: string;
}

export interface ResolvedPatchPath {
  /** The path as the patch wrote it. */
  requested: string;
  /** Workspace-relative, POSIX slashes: what is reported back. */
  display: string;
  /** Absolute, symlinks resolved (always inside the workspace): what is read and written. */
  real: string;
  /** Absolute path of the directory entry itself (parent resolved, last component kept): what is unlinked. */
  entry: string;
}

/** Resolves the workspace and the optional base directory (absolute inside the workspace, or relative to it). */
export function openPatchRoot(workspace: string, base?: string): PatchRoot {
  const realRoot = resolveInsideWorkspace(workspace, ".");
  const realBase = base === undefined ? realRoot : resolveInsideWorkspace(workspace, base);
  return { workspace, realRoot, base: realBase };
}

export function resolvePatchPath(root: PatchRoot, requested: string): ResolvedPatchPath {
  if (requested.trim() === "") throw new PathEscapeError(requested, "the path is empty");
  const confine = (p: string) => resolveInsideWorkspace(root.workspace, p, { base: root.base, allowAbsolute: false });
  const real = confine(requested);
  // Same lexical normalisation resolveInsideWorkspace applies before it looks at the disk.
  const lexical = path.resolve(root.base, requested);
  if (lexical === root.realRoot || real === root.realRoot) {
    throw new PathEscapeError(requested, "it names the workspace root itself");
  }
  const parentReal = confine(path.relative(root.base, path.dirname(lexical)) || ".");
  const entry = path.join(parentReal, path.basename(lexical));
  const display = path.relative(root.realRoot, lexical).split(path.sep).join("/");
  return { requested, display, real, entry };
}

import { lstatSync, realpathSync } from "node:fs";
import path from "node:path";
import { SANDBOX_WORKSPACE } from "./sandbox/workspace-view.js";

/** A path the agent named that would lead outside the workspace. */
export class PathEscapeError extends Error {
  constructor(
    readonly requested: string,
    reason: string,
  ) {
    super(`path ${JSON.stringify(requested)} is refused: ${reason}`);
    this.name = "PathEscapeError";
  }
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * An absolute path under the sandbox's neutral workspace path (what the agent sees as its cwd
 * with bwrap) stands for the same place in the host's workspace. Paths already inside the
 * host's workspace (it may itself live under that name) are left alone.
 */
function fromSandboxView(workspace: string, root: string, requested: string): string {
  if (!path.isAbsolute(requested)) return requested;
  const rel = path.relative(SANDBOX_WORKSPACE, requested);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return requested;
  if (isInside(path.resolve(workspace), requested) || isInside(root, requested)) return requested;
  return path.join(root, rel);
}

/**
 * Resolves a path the agent named (relative to `base`, itself inside the workspace) to an
 * absolute path that is guaranteed to stay inside `workspace`, even through symlinks:
 * the deepest part of the path that exists is resolved with realpath and must stay inside.
 * Absolute paths are accepted only when they already point inside the workspace, unless
 * `allowAbsolute` is false.
 */
export function resolveInsideWorkspace(
  workspace: string,
  requested: string,
  options: { base?: string; allowAbsolute?: boolean } = {},
): string {
  if (requested.includes("\0")) throw new PathEscapeError(requested, "it contains a NUL byte");
  const root = realpathSync(workspace);
  if (path.isAbsolute(requested) && options.allowAbsolute === false) {
    throw new PathEscapeError(requested, "absolute paths are not allowed; use a path relative to the workspace");
  }
  const base = options.base ?? root;
  const lexical = path.resolve(base, fromSandboxView(workspace, root, requested));
  // Compare against both spellings of the root: the caller's and the real one.
  const lexicalRoot = path.resolve(workspace);
  if (!isInside(lexicalRoot, lexical) && !isInside(root, lexical)) {
    throw new PathEscapeError(requested, "it resolves outside the workspace");
  }
  // Walk up to the deepest existing ancestor and resolve symlinks there.
  let existing = lexical;
  const missing: string[] = [];
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      missing.unshift(path.basename(existing));
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  let realExisting: string;
  try {
    realExisting = realpathSync(existing);
  } catch {
    // lstat saw it but realpath cannot follow it: a dangling symlink, whose target we refuse to guess.
    throw new PathEscapeError(requested, "it is a symbolic link whose target does not exist");
  }
  const real = path.join(realExisting, ...missing);
  if (!isInside(root, real)) {
    throw new PathEscapeError(requested, "it leads outside the workspace through a symbolic link");
  }
  return real;
}

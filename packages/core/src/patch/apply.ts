/**
 * Applying a parsed patch to a workspace on the real file system, with Codex's semantics:
 * operations run in order and a failure leaves the earlier ones applied; Add overwrites; Move
 * overwrites its destination; Delete needs an existing non-directory; Update needs an existing file.
 * Unlike Codex, every path is confined to the workspace, and all of them are checked before the
 * first write, so a hostile path anywhere refuses the whole patch.
 */
import { constants } from "node:fs";
import { type FileHandle, lstat, mkdir, open, unlink } from "node:fs/promises";
import path from "node:path";
import { PathEscapeError } from "../paths.js";
import { parsePatch } from "./parse.js";
import { openPatchRoot, type PatchRoot, type ResolvedPatchPath, resolvePatchPath } from "./patch-paths.js";
import { type AppliedChange, type ParsedPatch, PatchApplyError, type PatchHunk } from "./types.js";
import { ChunkMismatchError, updateContents } from "./update-contents.js";

export interface ApplyPatchOptions {
  /** Directory the patch's relative paths start from: inside the workspace, absolute or workspace-relative. */
  base?: string;
  /** Called after each operation that was carried out, in order. */
  onApplied?: (change: AppliedChange) => void;
}

export async function applyPatch(
  workspace: string,
  patchText: string,
  options: ApplyPatchOptions = {},
): Promise<AppliedChange[]> {
  return applyParsedPatch(workspace, parsePatch(patchText), options);
}

export async function applyParsedPatch(
  workspace: string,
  patch: ParsedPatch,
  options: ApplyPatchOptions = {},
): Promise<AppliedChange[]> {
  let root: PatchRoot;
  try {
    root = openPatchRoot(workspace, options.base);
  } catch (error) {
    const refused = error instanceof PathEscapeError;
    const message = refused ? `Refused the patch: ${describe(error)}` : `Cannot open the workspace: ${describe(error)}`;
    throw new PatchApplyError(message, { applied: [], refusedPath: refused, cause: error });
  }
  // Codex refuses a patch that would change nothing.
  if (patch.hunks.length === 0) throw new PatchApplyError("No files were modified.", { applied: [] });
  // Path safety first, for every operation, before anything is written.
  patch.hunks.forEach((hunk, index) => {
    resolveOperation(root, hunk, index + 1, []);
  });
  const applied: AppliedChange[] = [];
  for (const [index, hunk] of patch.hunks.entries()) {
    // Resolved again right before use, in case the tree changed since the check.
    const target = resolveOperation(root, hunk, index + 1, applied);
    try {
      const change = await runOperation(hunk, target);
      applied.push(change);
      options.onApplied?.(change);
    } catch (error) {
      if (error instanceof PatchApplyError) throw error;
      throw new PatchApplyError(describeFailure(target, error), {
        path: target.source.display,
        applied: [...applied],
        cause: error,
      });
    }
  }
  return applied;
}

interface OperationTarget {
  source: ResolvedPatchPath;
  destination?: ResolvedPatchPath;
}

function resolveOperation(root: PatchRoot, hunk: PatchHunk, number: number, applied: AppliedChange[]): OperationTarget {
  const resolve = (requested: string) => {
    try {
      return resolvePatchPath(root, requested);
    } catch (error) {
      if (!(error instanceof PathEscapeError)) throw error;
      const unchanged = applied.length === 0 ? " No files were changed." : "";
      throw new PatchApplyError(`Refused operation ${number} (${label(hunk)}): ${error.message}.${unchanged}`, {
        path: requested,
        applied: [...applied],
        refusedPath: true,
        cause: error,
      });
    }
  };
  const source = resolve(hunk.path);
  if (hunk.kind === "update" && hunk.movePath !== undefined) return { source, destination: resolve(hunk.movePath) };
  return { source };
}

async function runOperation(hunk: PatchHunk, target: OperationTarget): Promise<AppliedChange> {
  const { source, destination } = target;
  switch (hunk.kind) {
    case "add":
      await writeTextFile(source, hunk.contents);
      return { kind: "add", path: source.display };
    case "delete":
      await step(`delete file ${source.display}`, () => deleteFile(source));
      return { kind: "delete", path: source.display };
    case "update": {
      const original = await step(`read file to update ${source.display}`, () => readTextFile(source));
      const updated = updateContents(original, hunk.chunks);
      if (!destination) {
        await writeTextFile(source, updated);
        return { kind: "update", path: source.display };
      }
      await writeTextFile(destination, updated);
      // Moving a file onto itself must not end with it deleted.
      if (source.entry !== destination.entry && source.entry !== destination.real) {
        await step(`remove original ${source.display}`, () => unlink(source.entry));
      }
      return { kind: "update", path: source.display, movePath: destination.display };
    }
  }
}

/** A file system step that failed, named the way Codex names it ("Failed to <what>: <why>"). */
class StepFailure extends Error {
  constructor(what: string, cause: unknown) {
    super(`Failed to ${what}: ${describe(cause)}`, { cause });
    this.name = "StepFailure";
  }
}

async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new StepFailure(what, error);
  }
}

/**
 * Opens a file the patch reads or writes: never through a symlink at the last component (it was
 * resolved already), never blocking (a FIFO with no other end would hold the open forever), and
 * only a regular file, as seen after opening (no window to swap it between a check and the open).
 */
async function openRegularFile(file: string, flags: number): Promise<FileHandle> {
  const handle = await open(file, flags | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0), 0o666);
  const stats = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  if (stats.isFile()) return handle;
  await handle.close();
  throw Object.assign(new Error("it is not a regular file"), { code: "ENOTREGULAR" });
}

/** Creates parents, then writes a regular file (see openRegularFile). */
async function writeTextFile(target: ResolvedPatchPath, text: string): Promise<void> {
  await step(`create parent directories for ${target.display}`, () =>
    mkdir(path.dirname(target.real), { recursive: true }),
  );
  // O_TRUNC only once it is known to be a regular file; O_NONBLOCK makes a FIFO's open fail (ENXIO) or return.
  await step(`write file ${target.display}`, async () => {
    const handle = await openRegularFile(target.real, constants.O_WRONLY | constants.O_CREAT);
    try {
      await handle.truncate(0);
      await handle.writeFile(text, "utf8");
    } finally {
      await handle.close();
    }
  });
}

async function readTextFile(target: ResolvedPatchPath): Promise<string> {
  const handle = await openRegularFile(target.real, constants.O_RDONLY);
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  // Codex reads with read_to_string: invalid UTF-8 is an error, not silently replaced; a BOM is kept.
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** Removes the directory entry itself: a symlink is unlinked, never its target. */
async function deleteFile(target: ResolvedPatchPath): Promise<void> {
  const stats = await lstat(target.entry);
  if (stats.isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
  await unlink(target.entry);
}

function label(hunk: PatchHunk): string {
  if (hunk.kind === "add") return `Add File: ${hunk.path}`;
  if (hunk.kind === "delete") return `Delete File: ${hunk.path}`;
  return hunk.movePath === undefined
    ? `Update File: ${hunk.path}`
    : `Update File: ${hunk.path}, Move to: ${hunk.movePath}`;
}

function describeFailure(target: OperationTarget, error: unknown): string {
  if (error instanceof ChunkMismatchError) {
    const name = target.source.display;
    return error.problem === "context"
      ? `Failed to find context '${error.expected}' in ${name} (hunk ${error.hunk})`
      : `Failed to find expected lines in ${name} (hunk ${error.hunk}):\n${error.expected}`;
  }
  return error instanceof StepFailure ? error.message : `Failed to apply the patch: ${describe(error)}`;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "it is a directory",
  ENOTDIR: "a parent of it is not a directory",
  EEXIST: "a file is in the way",
  ELOOP: "it is a symbolic link",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  ENXIO: "it is not a regular file",
  ENOTREGULAR: "it is not a regular file",
};

/** An error as text for the model, without the absolute host paths Node puts in its messages. */
function describe(error: unknown): string {
  if (error instanceof PathEscapeError) return error.message;
  // TextDecoder's complaint about bytes that are not UTF-8.
  if (error instanceof TypeError && (error as { code?: unknown }).code === "ERR_ENCODING_INVALID_ENCODED_DATA") {
    return "it is not valid UTF-8 text";
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return ERRNO_TEXT[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/** The parsed form of Codex's apply_patch format and the errors the engine reports. */

/** One `@@` section of an `*** Update File:` operation. */
export interface UpdateChunk {
  /** The text after `@@ `: a line (usually a class or function header) to seek before `oldLines`. */
  changeContext?: string;
  /** Lines to find in the file (context and `-` lines, in order). */
  oldLines: string[];
  /** Lines that replace them (context and `+` lines, in order). */
  newLines: string[];
  /** Set by `*** End of File`: `oldLines` must be found at the end of the file. */
  isEndOfFile: boolean;
}

export interface AddFileHunk {
  kind: "add";
  path: string;
  /** The new file's text; every line ends with a newline. */
  contents: string;
}

export interface DeleteFileHunk {
  kind: "delete";
  path: string;
}

export interface UpdateFileHunk {
  kind: "update";
  path: string;
  movePath?: string;
  chunks: UpdateChunk[];
}

/** One file operation of a patch (Codex calls these "hunks"). */
export type PatchHunk = AddFileHunk | DeleteFileHunk | UpdateFileHunk;

export interface ParsedPatch {
  hunks: PatchHunk[];
}

/** What applying a patch did to one file; paths are workspace-relative with POSIX slashes. */
export interface AppliedChange {
  kind: "add" | "update" | "delete";
  path: string;
  /** For an update that moved the file: where it went. */
  movePath?: string;
}

/** The patch text is not in the apply_patch format. */
export class PatchParseError extends Error {
  constructor(
    message: string,
    /** 1-based line of the patch text the problem was found on, when there is one. */
    readonly lineNumber?: number,
  ) {
    super(message);
    this.name = "PatchParseError";
  }
}

/** The patch is well formed but could not be applied to the workspace. */
export class PatchApplyError extends Error {
  constructor(
    message: string,
    readonly details: {
      /** Workspace-relative path of the file the failing operation named. */
      path?: string;
      /** Changes made before the failure; they stay applied, as in Codex. */
      applied: AppliedChange[];
      /** True when a path was refused before anything was written. */
      refusedPath?: boolean;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "PatchApplyError";
  }
}

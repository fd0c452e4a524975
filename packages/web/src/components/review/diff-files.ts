/** The files of a unified diff, as diff2html parses them, with the names a citation would use. */
import { parse } from "diff2html";
import type { DiffFile } from "diff2html/lib/types";

export interface ParsedFile {
  name: string;
  added: number;
  deleted: number;
  file: DiffFile;
}

export function parseDiff(diff: string): ParsedFile[] {
  return parse(diff).map((file) => ({
    name: file.newName === "/dev/null" ? file.oldName : file.newName,
    added: file.addedLines,
    deleted: file.deletedLines,
    file,
  }));
}

/** The diff's file a citation means: the same path, else one ending with it ("add.js:2"). */
export function findFile(files: readonly ParsedFile[], path: string): number {
  const exact = files.findIndex((file) => file.name === path);
  if (exact >= 0) return exact;
  return files.findIndex((file) => file.name.endsWith(`/${path}`));
}

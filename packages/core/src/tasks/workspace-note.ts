/**
 * A task store that keeps its records elsewhere (a server's database) still leaves the live
 * workspace in the task's scratch folder on the machine that ran the round. This note beside it
 * says what that workspace is (snapshot, overlay, base tree) so the next round on the same machine
 * can reuse it (only when it still shows the stored diff) and `quire gc` can find and remove it.
 * It is a cache: when it is missing, the next round rebuilds the workspace from the stored diff.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TaskRecord } from "./store.js";

export type WorkspaceNote = Pick<
  TaskRecord,
  "baseCommit" | "workspace" | "baseTree" | "snapshotDir" | "overlay" | "readOnlyPaths" | "status" | "pid" | "updatedAt"
>;

export const WORKSPACE_NOTE = "workspace.json";

export async function writeWorkspaceNote(taskDir: string, record: TaskRecord): Promise<void> {
  const note: WorkspaceNote = {
    baseCommit: record.baseCommit,
    workspace: record.workspace,
    baseTree: record.baseTree,
    snapshotDir: record.snapshotDir,
    overlay: record.overlay,
    readOnlyPaths: record.readOnlyPaths,
    status: record.status,
    pid: record.pid,
    updatedAt: new Date().toISOString(),
  };
  const file = path.join(taskDir, WORKSPACE_NOTE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(note)}\n`);
  await rename(temp, file);
}

/** The note, or undefined when there is none (or it cannot be read: then there is no live workspace to trust). */
export async function readWorkspaceNote(taskDir: string): Promise<WorkspaceNote | undefined> {
  try {
    const note = JSON.parse(await readFile(path.join(taskDir, WORKSPACE_NOTE), "utf8")) as WorkspaceNote;
    return typeof note.workspace === "string" && typeof note.baseCommit === "string" ? note : undefined;
  } catch {
    return undefined;
  }
}

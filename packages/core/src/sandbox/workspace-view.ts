import path from "node:path";
import type { SandboxBackendName } from "./types.js";

/**
 * Where the bwrap sandbox shows the workspace to commands: a neutral path, so neither their
 * working directory nor their mount table tells where Quire keeps its home and the task's
 * folder on the host. The agent is told this path as its cwd, and paths it names there are
 * taken back to the host's workspace (resolveInsideWorkspace).
 */
export const SANDBOX_WORKSPACE = "/workspace";

/** The workspace's path as the backend's commands see it. */
export function workspaceViewOf(backend: SandboxBackendName, hostWorkspace: string): string {
  return backend === "bwrap" ? SANDBOX_WORKSPACE : hostWorkspace;
}

/** `hostPath` (inside one of the workspace's spellings) as seen under `view`; others as they are. */
export function viewPathOf(workspaceRoots: string[], view: string, hostPath: string): string {
  for (const root of workspaceRoots) {
    const rel = path.relative(root, hostPath);
    if (rel === "") return view;
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) return path.posix.join(view, rel);
  }
  return hostPath;
}

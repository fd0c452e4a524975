/**
 * Which of the usual command-line tools a task's commands can run, so the model is told up front
 * (in the environment context) and does not spend turns on one that is missing. Looked up once
 * per process and backend on the PATH the sandbox's commands get: bwrap's commands see the host's
 * system directories read-only, the `none` backend's the host's own PATH. A container's image is
 * not known from here, so nothing is said for it.
 */
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { SANDBOX_PATH, type SandboxBackendName } from "./types.js";

/** What models reach for first: search, version control, the common runtimes and build tools. */
export const USUAL_TOOLS = [
  "rg",
  "grep",
  "find",
  "sed",
  "awk",
  "git",
  "python3",
  "node",
  "npm",
  "make",
  "gcc",
  "curl",
  "jq",
] as const;

export interface AvailableTools {
  present: string[];
  missing: string[];
}

const found = new Map<string, AvailableTools>();

/** What bwrap shows of the host (see bwrap.ts): a link out of these (into /root, /home) is dangling inside. */
const BWRAP_VISIBLE = ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/etc/", "/opt/"];

function isExecutable(file: string, visible: (realPath: string) => boolean): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile() && visible(realpathSync(file));
  } catch {
    return false;
  }
}

/** The usual tools on a PATH (":"-separated), split into those found and those not. */
export function toolsOnPath(
  searchPath: string,
  tools: readonly string[] = USUAL_TOOLS,
  visible: (realPath: string) => boolean = () => true,
): AvailableTools {
  const dirs = searchPath.split(":").filter((dir) => path.isAbsolute(dir));
  const present: string[] = [];
  const missing: string[] = [];
  for (const tool of tools) {
    (dirs.some((dir) => isExecutable(path.join(dir, tool), visible)) ? present : missing).push(tool);
  }
  return { present, missing };
}

export function availableTools(
  backend: SandboxBackendName,
  hostPath: string = process.env.PATH ?? "",
): AvailableTools | null {
  if (backend === "container") return null;
  const searchPath = backend === "bwrap" ? SANDBOX_PATH : hostPath;
  const key = `${backend}:${searchPath}`;
  const cached = found.get(key);
  if (cached) return cached;
  const visible =
    backend === "bwrap" ? (file: string) => BWRAP_VISIBLE.some((root) => file.startsWith(root)) : undefined;
  const tools = toolsOnPath(searchPath, USUAL_TOOLS, visible);
  found.set(key, tools);
  return tools;
}

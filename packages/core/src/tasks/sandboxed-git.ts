import { createSandbox, findBwrap } from "../sandbox/index.js";
import type { SandboxBackendName } from "../sandbox/types.js";

/**
 * A task's container image need not carry git: Quire's own git runs under bubblewrap then
 * (or unsandboxed when bwrap is missing, as the container backend does not require it).
 */
function gitBackend(backend: SandboxBackendName): SandboxBackendName {
  if (backend !== "container") return backend;
  return findBwrap() ? "bwrap" : "none";
}

/** Diffs of a whole task fit; beyond this the task's change is not reviewable anyway. */
const MAX_GIT_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Runs git in a workspace that the agent (or a setup script) has written to, inside the
 * sandbox: such a workspace's `.git/config`, hooks and `.gitattributes` may name commands
 * (core.fsmonitor, filter drivers, hooks) that git would otherwise run on the host, as the user
 * running Quire. The index is private (in the sandbox's /tmp) and stderr is kept apart so that
 * stdout is exactly git's output.
 */
export async function gitInSandbox(options: {
  backend: SandboxBackendName;
  workspace: string;
  readOnlyPaths: string[];
  /** A POSIX sh script of git commands; $1 … are `args`. */
  script: string;
  args?: string[];
  /** Use a throwaway index instead of the workspace's own (for diffs and trees). */
  privateIndex?: boolean;
  timeoutMs?: number;
}): Promise<string> {
  const sandbox = createSandbox(gitBackend(options.backend), {
    workspace: options.workspace,
    writable: true,
    network: false,
    readOnlyPaths: options.readOnlyPaths,
  });
  const index = options.privateIndex === false ? "" : 'export GIT_INDEX_FILE="$(mktemp -d)/index"; ';
  const wrapped = `${index}{ ${options.script} ; } 2>/tmp/quire-git-stderr || { echo; echo "git failed:"; cat /tmp/quire-git-stderr; exit 1; }`;
  const result = await sandbox.exec({
    argv: ["sh", "-c", wrapped, "quire-git", ...(options.args ?? [])],
    cwd: options.workspace,
    timeoutMs: options.timeoutMs ?? 10 * 60 * 1000,
    maxOutputBytes: MAX_GIT_OUTPUT_BYTES,
    maxTotalOutputBytes: MAX_GIT_OUTPUT_BYTES,
    env: { GIT_TERMINAL_PROMPT: "0" },
  });
  if (result.exitCode !== 0) {
    const tail = result.output.trimEnd().split("\n").slice(-10).join("\n");
    throw new Error(`git in the workspace failed (${result.exitCode ?? "killed"}): ${tail}`);
  }
  return result.output;
}

/** The tree of everything in the workspace now (ignored files aside). */
export async function workspaceTree(options: {
  backend: SandboxBackendName;
  workspace: string;
  readOnlyPaths: string[];
}): Promise<string> {
  const out = await gitInSandbox({
    ...options,
    script: "set -e; git read-tree HEAD; git add --all -- .; git write-tree",
  });
  return out.trim();
}

/** The workspace's changes against `base` (a commit or tree), new files included, binary-safe. */
export async function workspaceDiff(options: {
  backend: SandboxBackendName;
  workspace: string;
  readOnlyPaths: string[];
  base: string;
}): Promise<string> {
  return gitInSandbox({
    ...options,
    script:
      'set -e; git read-tree "$1"; git add --all -- .; git diff --cached --binary --no-color --no-ext-diff --no-textconv "$1"',
    args: [options.base],
  });
}

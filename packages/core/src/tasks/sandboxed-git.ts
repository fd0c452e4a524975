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
/** What is still gathered of a streamed output: enough for the error lines that end it. */
const STREAMED_TAIL_BYTES = 64 * 1024;

/** gitInSandbox's script ended with a status other than 0 (null: killed). */
export class SandboxedGitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

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
  /** Extra environment variables for the script. */
  env?: Record<string, string>;
  /** false to mount the workspace read-only (a check that must change nothing). */
  writable?: boolean;
  /**
   * Receives git's output as it comes, instead of it being gathered: the result is then only the
   * last bytes (for an error message), so a large output is never held whole.
   */
  onStdout?: (chunk: string) => void;
}): Promise<string> {
  const sandbox = createSandbox(gitBackend(options.backend), {
    workspace: options.workspace,
    writable: options.writable ?? true,
    network: false,
    readOnlyPaths: options.readOnlyPaths,
    // Quire's own git, not the agent's command: no walk of every file before and after it.
    watchDisk: false,
  });
  const index = options.privateIndex === false ? "" : 'export GIT_INDEX_FILE="$(mktemp -d)/index"; ';
  const wrapped = `${index}{ ${options.script} ; } 2>/tmp/quire-git-stderr || { echo; echo "git failed:"; cat /tmp/quire-git-stderr; exit 1; }`;
  const result = await sandbox.exec({
    argv: ["sh", "-c", wrapped, "quire-git", ...(options.args ?? [])],
    cwd: options.workspace,
    timeoutMs: options.timeoutMs ?? 10 * 60 * 1000,
    maxOutputBytes: options.onStdout ? STREAMED_TAIL_BYTES : MAX_GIT_OUTPUT_BYTES,
    maxTotalOutputBytes: MAX_GIT_OUTPUT_BYTES,
    ...(options.onStdout ? { onOutput: options.onStdout } : {}),
    env: { ...options.env, GIT_TERMINAL_PROMPT: "0" },
  });
  if (result.exitCode !== 0) {
    const tail = result.output.trimEnd().split("\n").slice(-10).join("\n");
    throw new SandboxedGitError(
      `git in the workspace failed (${result.exitCode ?? "killed"}): ${tail}`,
      result.exitCode,
    );
  }
  return result.output;
}

/**
 * Git that reads the workspace as plain files. Its repository (config, attributes, refs, index)
 * is a fresh one in the sandbox's /tmp, not the workspace's `.git`: whatever the agent or setup
 * wrote there (core.worktree, textconv and diff drivers, filters, `info/attributes`, replace refs,
 * grafts, fsmonitor) is never read. In-tree `.gitattributes` are part of the change under review,
 * so they may not steer it either: Quire's own `info/attributes` (which git ranks above every
 * in-tree file) sets back to unspecified each attribute that changes how content is read
 * (conversion on add) or shown (binary, diff driver). Binary-ness is then git's own content check
 * (a NUL in the first 8000 bytes). Objects: the repositories' stores are looked up as alternates,
 * the source's first, so the base commit's objects come from the store the agent cannot write.
 */
export function contentGitPrelude(options: { writeObjectsTo: "scratch" | "workspace" }): string {
  const neutral = "* !diff !text !eol !crlf !ident !filter !working-tree-encoding !merge";
  return [
    'q="$(mktemp -d)"',
    "trap 'rm -rf \"$q\"' EXIT",
    "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_COMMON_DIR",
    "unset GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_NAMESPACE GIT_REPLACE_REF_BASE GIT_ATTR_SOURCE GIT_EXTERNAL_DIFF GIT_DIFF_OPTS",
    // No system, global or XDG config, attributes or excludes: only what is set here.
    "export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_ATTR_NOSYSTEM=1 GIT_NO_REPLACE_OBJECTS=1",
    "export GIT_CONFIG_COUNT=4",
    "export GIT_CONFIG_KEY_0=core.attributesFile GIT_CONFIG_VALUE_0=/dev/null",
    "export GIT_CONFIG_KEY_1=core.excludesFile GIT_CONFIG_VALUE_1=/dev/null",
    "export GIT_CONFIG_KEY_2=core.fsmonitor GIT_CONFIG_VALUE_2=false",
    "export GIT_CONFIG_KEY_3=core.hooksPath GIT_CONFIG_VALUE_3=/dev/null",
    'GIT_DIR="$q/git" git init --quiet --template= >/dev/null',
    'mkdir -p "$q/git/info"',
    `printf '%s\\n' '${neutral}' > "$q/git/info/attributes"`,
    'export GIT_DIR="$q/git" GIT_WORK_TREE="$PWD" GIT_INDEX_FILE="$q/index"',
    // The workspace's own store by $PWD: the sandbox shows the workspace at its own path, not the host's.
    'export GIT_ALTERNATE_OBJECT_DIRECTORIES="${QUIRE_GIT_OBJECT_DIRS:+$QUIRE_GIT_OBJECT_DIRS:}$PWD/.git/objects"',
    ...(options.writeObjectsTo === "workspace" ? ['export GIT_OBJECT_DIRECTORY="$PWD/.git/objects"'] : []),
    // Chained with &&: `set -e` does not apply inside gitInSandbox's `{ …; } || …` wrapper.
  ].join(" && ");
}

/** Where contentGitPrelude looks up objects besides the workspace's own store (looked up last). */
function objectDirsEnv(options: { readOnlyPaths: string[] }): Record<string, string> {
  return { QUIRE_GIT_OBJECT_DIRS: options.readOnlyPaths.join(":") };
}

/**
 * The tree of everything in the workspace now (ignored files aside), read as plain files; its
 * objects are written to the workspace's store, where later diffs find them.
 */
export async function workspaceTree(options: {
  backend: SandboxBackendName;
  workspace: string;
  readOnlyPaths: string[];
  /** The commit checked out in the workspace: tracked files that are ignored stay in the tree. */
  head: string;
}): Promise<string> {
  const prelude = contentGitPrelude({ writeObjectsTo: "workspace" });
  const out = await gitInSandbox({
    ...options,
    env: objectDirsEnv(options),
    script: `${prelude} && git read-tree "$1" && git add --all -- . && git write-tree`,
    args: [options.head],
    privateIndex: false,
  });
  return out.trim();
}

/**
 * The workspace's changes against `base` (a commit or tree), new files included, binary-safe,
 * computed from the files' contents alone (see contentGitPrelude): this is the diff a person
 * reviews, verification checks and delivery commits.
 */
export async function workspaceDiff(options: {
  backend: SandboxBackendName;
  workspace: string;
  readOnlyPaths: string[];
  base: string;
  /** Streams the diff here instead of returning it (then the result is not the diff). */
  onStdout?: (chunk: string) => void;
}): Promise<string> {
  const prelude = contentGitPrelude({ writeObjectsTo: "scratch" });
  return gitInSandbox({
    ...options,
    env: objectDirsEnv(options),
    script: `${prelude} && git read-tree "$1" && git add --all -- . && git diff --cached --binary --no-color --no-ext-diff --no-textconv "$1"`,
    args: [options.base],
    privateIndex: false,
  });
}

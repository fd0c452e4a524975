import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SandboxBackendName } from "../sandbox/types.js";
import { gitInSandbox } from "./sandboxed-git.js";

/**
 * Applies a unified diff (binary parts included) to a workspace's files, by git in the sandbox,
 * all or nothing. The patch is handed in read-only from `scratchDir`, outside the workspace, and
 * removed afterwards; git uses a scratch repository, so nothing of the workspace's own .git
 * (config, attributes) is read. Throws with git's words when the diff does not apply.
 */
export async function applyDiffInSandbox(options: {
  backend: SandboxBackendName;
  workspace: string;
  scratchDir: string;
  diff: string;
}): Promise<void> {
  if (options.diff.trim() === "") return;
  await mkdir(options.scratchDir, { recursive: true });
  const patchFile = path.join(options.scratchDir, "stored.patch");
  await writeFile(patchFile, options.diff);
  try {
    await gitInSandbox({
      backend: options.backend,
      workspace: options.workspace,
      readOnlyPaths: [options.scratchDir],
      script:
        'q="$(mktemp -d)"; GIT_DIR="$q/git" git init --quiet --template= >/dev/null; ' +
        'GIT_DIR="$q/git" GIT_WORK_TREE="$PWD" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null ' +
        'git apply --binary --whitespace=nowarn "$1"',
      args: [patchFile],
    });
  } finally {
    await rm(options.scratchDir, { recursive: true, force: true });
  }
}

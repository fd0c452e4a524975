import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { isMounted, mountOverlay, overlaySupported, unmountOverlay } from "../environments/overlay.js";
import { scrubSecretsFromFiles } from "../environments/scrub.js";
import { runEnvironmentScript } from "../environments/setup.js";
import { createSnapshot, environmentKey, findSnapshot } from "../environments/snapshot.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { ThreadItem } from "../events.js";
import { createSandbox } from "../sandbox/index.js";
import type { ContainerOptions } from "../sandbox/container.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import { git } from "./git.js";
import { gitInSandbox, workspaceTree } from "./sandboxed-git.js";

const execFileAsync = promisify(execFile);

export interface SourceCheckout {
  sourceRoot: string;
  commit: string;
  /** The source's object store, which task checkouts borrow (read-only in the sandbox). */
  objectsDir: string;
}

export class NotAGitRepositoryError extends Error {}

export async function inspectSource(repo: string, revision = "HEAD"): Promise<SourceCheckout> {
  let sourceRoot: string;
  try {
    sourceRoot = (await git(["rev-parse", "--show-toplevel"], { cwd: repo })).trim();
  } catch {
    throw new NotAGitRepositoryError(`${repo} is not inside a git repository; quire exec works on a git checkout`);
  }
  // `--end-of-options` keeps a revision that starts with "-" from being read as an option.
  const commit = await git(["rev-parse", "--verify", "--end-of-options", `${revision}^{commit}`], {
    cwd: sourceRoot,
  }).catch(() => {
    if (revision !== "HEAD") throw new NotAGitRepositoryError(`${sourceRoot} has no commit ${revision}`);
    throw new NotAGitRepositoryError(`${sourceRoot} has no commits yet; commit something first`);
  });
  const commonDir = (await git(["rev-parse", "--git-common-dir"], { cwd: sourceRoot })).trim();
  return {
    sourceRoot,
    commit: commit.trim(),
    objectsDir: path.join(path.resolve(sourceRoot, commonDir), "objects"),
  };
}

/**
 * Whether tracked files have uncommitted changes (which a task does not see). It stats every
 * tracked file, so callers run it beside the preparation rather than before it.
 */
export async function sourceIsDirty(sourceRoot: string): Promise<boolean> {
  const status = await git(["status", "--porcelain", "--untracked-files=no"], { cwd: sourceRoot });
  return status.trim() !== "";
}

export interface PreparedTask {
  workspace: string;
  /** The tree the task's diff is taken against: the commit as the environment left it. */
  baseTree: string;
  snapshotDir: string;
  overlay: boolean;
  /** True when a cached snapshot was reused. */
  cached: boolean;
}

export interface PrepareOptions {
  home: string;
  taskDir: string;
  branch: string;
  source: SourceCheckout;
  environment: ResolvedEnvironment;
  /** Secret values for setup and maintenance only. */
  secretValues: Record<string, string>;
  sandbox: SandboxBackendName;
  container?: ContainerOptions;
  signal: AbortSignal;
  nextItemId: () => string;
  emitItem: (phase: "started" | "updated" | "completed", item: ThreadItem) => void;
  redact: (text: string) => string;
}

/**
 * A task's workspace: a copy-on-write view of the environment's snapshot (made, with the setup
 * script run, when there is no fresh one), on a branch of its own, at the source's commit
 * (with the maintenance script run when the snapshot was made at another commit).
 */
export async function prepareTaskWorkspace(options: PrepareOptions): Promise<PreparedTask> {
  const { environment, source } = options;
  const envKey = environmentKey({
    repo: source.sourceRoot,
    setupScript: environment.setupScript,
    variables: environment.variables,
    secrets: environment.secrets,
  });
  const scriptEnv = { ...environment.variables, ...options.secretValues };
  const readOnlyPaths = [source.objectsDir];
  const runScript = (phase: "setup" | "maintenance", script: string, dir: string) =>
    runEnvironmentScript({
      phase,
      script,
      sandbox: createSandbox(options.sandbox, {
        workspace: dir,
        writable: true,
        network: true,
        readOnlyPaths,
        ...(options.container ? { container: options.container } : {}),
      }),
      cwd: dir,
      env: scriptEnv,
      timeoutMs: environment.limits.taskTimeoutMs,
      maxOutputBytes: environment.limits.outputBytes,
      signal: options.signal,
      itemId: options.nextItemId(),
      emitItem: options.emitItem,
      redact: options.redact,
    });

  // Whatever setup wrote, the agent phase must not find a secret in its files.
  const scrub = async (dir: string): Promise<void> => {
    for (const file of await scrubSecretsFromFiles(dir, options.secretValues)) {
      const message = `${file.path} held the secret ${file.secrets.join(", ")} after setup; it was replaced by [REDACTED:…] so the agent never reads it`;
      options.emitItem("completed", { id: options.nextItemId(), type: "error", message });
    }
  };

  let snapshot = await findSnapshot(options.home, envKey, source.commit, environment.cacheTtlMs);
  const cached = snapshot !== null;
  snapshot ??= await createSnapshot({
    home: options.home,
    envKey,
    sourceRoot: source.sourceRoot,
    commit: source.commit,
    prepare: async (checkout) => {
      // Without setup the checkout is the commit itself (a fresh clone: nothing in it is untrusted).
      if (!environment.setupScript) return (await git(["rev-parse", "HEAD^{tree}"], { cwd: checkout })).trim();
      await runScript("setup", environment.setupScript, checkout);
      await scrub(checkout);
      return workspaceTree({ backend: options.sandbox, workspace: checkout, readOnlyPaths, head: source.commit });
    },
  });

  const workspace = path.join(options.taskDir, "repo");
  const overlay = await overlaySupported(options.home);
  await attachSnapshot({ taskDir: options.taskDir, snapshotDir: snapshot.dir, overlay });
  if (snapshot.exact) {
    // Ref updates only: `git checkout -b` would refresh the index, a stat of every file.
    // On the host, so hooks are switched off: setup may have planted some (reference-transaction).
    const noHooks = ["-c", "core.hooksPath=/dev/null"];
    await git([...noHooks, "update-ref", `refs/heads/${options.branch}`, source.commit], { cwd: workspace });
    await git([...noHooks, "symbolic-ref", "HEAD", `refs/heads/${options.branch}`], { cwd: workspace });
    return { workspace, baseTree: snapshot.meta.baseTree, snapshotDir: snapshot.dir, overlay, cached };
  }
  // Setup has written to this checkout: git runs in the sandbox, where its hooks cannot reach the host.
  await gitInSandbox({
    backend: options.sandbox,
    workspace,
    readOnlyPaths,
    script: 'git checkout --quiet -b "$1" "$2"',
    args: [options.branch, source.commit],
    privateIndex: false,
  });
  if (environment.maintenanceScript) {
    await runScript("maintenance", environment.maintenanceScript, workspace);
    await scrub(workspace);
  }
  // Files the environment made (and did not ignore) are not the agent's work: diff against them.
  const baseTree = await workspaceTree({ backend: options.sandbox, workspace, readOnlyPaths, head: source.commit });
  return { workspace, baseTree, snapshotDir: snapshot.dir, overlay, cached };
}

/** Mounts (or, without overlayfs, copies) the snapshot as the task's `repo/`. Idempotent. */
export async function attachSnapshot(options: {
  taskDir: string;
  snapshotDir: string;
  overlay: boolean;
}): Promise<void> {
  const merged = path.join(options.taskDir, "repo");
  if (!options.overlay) {
    // Without CAP_SYS_ADMIN: a full copy (reflinked where the file system can), made once.
    if (!existsSync(path.join(merged, ".git"))) {
      await execFileAsync("cp", ["-a", "--reflink=auto", options.snapshotDir, merged]);
    }
    return;
  }
  if (await isMounted(merged)) return;
  await mountOverlay({
    lower: options.snapshotDir,
    upper: path.join(options.taskDir, "upper"),
    work: path.join(options.taskDir, "work"),
    merged,
  });
}

export async function detachSnapshot(taskDir: string, overlay: boolean): Promise<void> {
  if (overlay) await unmountOverlay(path.join(taskDir, "repo"));
}

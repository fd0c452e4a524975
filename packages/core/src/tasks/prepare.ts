import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { isMounted, mountOverlay, overlaySupported, unmountOverlay } from "../environments/overlay.js";
import { scrubSecretsFromFiles } from "../environments/scrub.js";
import { runEnvironmentScript } from "../environments/setup.js";
import { createSnapshot, environmentKey, findSnapshot, type SnapshotScope } from "../environments/snapshot.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { ThreadItem } from "../events.js";
import type { OutboundAllowance } from "../network/operator-allowance.js";
import { RefusalReporter } from "../network/refusal-reporter.js";
import { openSetupNetwork } from "../network/setup-network.js";
import { createSandbox } from "../sandbox/index.js";
import { DEFAULT_SANDBOX_LIMITS } from "../sandbox/limits.js";
import {
  diskLayerImage,
  diskLayerSupported,
  type DiskLayerSize,
  mountDiskLayer,
  removeDiskLayer,
  unmountDiskLayer,
} from "../sandbox/disk-layer.js";
import type { ContainerOptions } from "../sandbox/types.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import { git } from "./git.js";
import { gitInSandbox, workspaceTree } from "./sandboxed-git.js";
import { cachedSnapshotIsWhole, importCommit } from "./snapshot-objects.js";

const execFileAsync = promisify(execFile);

export interface SourceCheckout {
  sourceRoot: string;
  commit: string;
  /**
   * The source's object store. Never shown to the sandbox: snapshots own their objects, and a
   * commit they lack is brought in by importCommit.
   */
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
  /** Whose snapshots this task may reuse: its workspace's, built for this very environment. */
  snapshotScope: SnapshotScope;
  /** Secret values for setup and maintenance only. */
  secretValues: Record<string, string>;
  sandbox: SandboxBackendName;
  container?: ContainerOptions;
  signal: AbortSignal;
  nextItemId: () => string;
  emitItem: (phase: "started" | "updated" | "completed", item: ThreadItem) => void;
  redact: (text: string) => string;
  /** Private destinations the operator lets setup and maintenance reach (config.toml `[outbound]`). */
  outbound?: OutboundAllowance;
}

/**
 * A task's workspace: a copy-on-write view of the environment's snapshot (made, with the setup
 * script run, when there is no fresh one), on a branch of its own, at the source's commit
 * (with the maintenance script run when the snapshot was made at another commit).
 */
export async function prepareTaskWorkspace(options: PrepareOptions): Promise<PreparedTask> {
  const { environment, source } = options;
  const scope = options.snapshotScope;
  const location = {
    home: options.home,
    scope,
    envKey: environmentKey({ scope, repo: source.sourceRoot, environment }),
  };
  const scriptEnv = { ...environment.variables, ...options.secretValues };
  // Nothing of the user's checkout is bound into the sandbox: the snapshot owns its objects.
  const readOnlyPaths: string[] = [];
  // Setup and maintenance reach the internet through the setup proxy only, never the host.
  const runScript = async (phase: "setup" | "maintenance", script: string, dir: string): Promise<void> => {
    const refusals = new RefusalReporter(`${phase}: `, (message) =>
      options.emitItem("completed", { id: options.nextItemId(), type: "error", message }),
    );
    const network = await openSetupNetwork({
      policy: environment.setupNetwork,
      backend: options.sandbox,
      ...(options.outbound ? { outbound: options.outbound } : {}),
      onDecision: refusals.onDecision,
    });
    try {
      await runEnvironmentScript({
        phase,
        script,
        sandbox: createSandbox(options.sandbox, {
          workspace: dir,
          writable: true,
          readOnlyPaths,
          ...(options.container ? { container: options.container } : {}),
          ...network.sandbox,
        }),
        cwd: dir,
        env: scriptEnv,
        timeoutMs: environment.limits.taskTimeoutMs,
        maxOutputBytes: environment.limits.outputBytes,
        signal: options.signal,
        itemId: options.nextItemId(),
        nextItemId: options.nextItemId,
        emitItem: options.emitItem,
        redact: options.redact,
      });
    } finally {
      await network.close();
      refusals.flush();
    }
  };

  // Whatever setup wrote, the agent phase must not find a secret in its files.
  const scrub = async (dir: string): Promise<void> => {
    for (const file of await scrubSecretsFromFiles(dir, options.secretValues)) {
      const message = `${file.path} held the secret ${file.secrets.join(", ")} after setup; it was replaced by [REDACTED:…] so the agent never reads it`;
      options.emitItem("completed", { id: options.nextItemId(), type: "error", message });
    }
  };

  let snapshot = await findSnapshot(location, source.commit, environment.cacheTtlMs);
  // A snapshot missing objects (an old one that borrowed them from a source since pruned) is a
  // miss: a new one is made; gc removes the broken one.
  if (snapshot && !(await cachedSnapshotIsWhole({ backend: options.sandbox, dir: snapshot.dir, ...snapshot.meta }))) {
    snapshot = null;
  }
  const cached = snapshot !== null;
  snapshot ??= await createSnapshot({
    location,
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
  await attachSnapshot({
    taskDir: options.taskDir,
    snapshotDir: snapshot.dir,
    overlay,
    diskBudget: diskBudgetOf(environment),
  });
  if (snapshot.exact) {
    // Ref updates only: `git checkout -b` would refresh the index, a stat of every file.
    // On the host, so hooks are switched off: setup may have planted some (reference-transaction).
    const noHooks = ["-c", "core.hooksPath=/dev/null"];
    await git([...noHooks, "update-ref", `refs/heads/${options.branch}`, source.commit], { cwd: workspace });
    await git([...noHooks, "symbolic-ref", "HEAD", `refs/heads/${options.branch}`], { cwd: workspace });
    return { workspace, baseTree: snapshot.meta.baseTree, snapshotDir: snapshot.dir, overlay, cached };
  }
  await importCommit({
    backend: options.sandbox,
    sourceRoot: source.sourceRoot,
    commit: source.commit,
    have: snapshot.meta.commit,
    workspace,
    scratchDir: path.join(options.taskDir, "import"),
  });
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

/** The task's disk budget, for its disk layer. */
export function diskBudgetOf(environment: ResolvedEnvironment): DiskLayerSize {
  return { bytes: environment.limits.diskBytes, inodes: DEFAULT_SANDBOX_LIMITS.inodes };
}

const diskLayerDir = (taskDir: string): string => path.join(taskDir, "disk");

/**
 * Where the task's own writes land with overlayfs: on its disk layer (a file system of the
 * budget's size, sandbox/disk-layer.ts) when it has one, else in `upper/` beside the workspace.
 */
export function taskUpperDir(taskDir: string): string {
  const layer = diskLayerDir(taskDir);
  return existsSync(diskLayerImage(layer)) ? path.join(layer, "upper") : path.join(taskDir, "upper");
}

/**
 * Where the disk budget of a task's commands is measured: its upper layer (what it wrote), read
 * from the disk layer's own counters when it has one (one statfs), else walked (O(what it wrote)).
 * Nothing for a copied workspace: the whole workspace is walked then.
 */
export function taskDiskUsage(
  taskDir: string,
  overlay: boolean,
): { diskUsageRoot?: string; diskUsageOwnFileSystem?: boolean } {
  if (!overlay) return {};
  const layered = existsSync(diskLayerImage(diskLayerDir(taskDir)));
  return { diskUsageRoot: taskUpperDir(taskDir), ...(layered ? { diskUsageOwnFileSystem: true } : {}) };
}

/**
 * Mounts (or, without overlayfs, copies) the snapshot as the task's `repo/`. Idempotent. With
 * overlayfs and a budget, the writable layer goes on a disk layer of that size where Quire can
 * make one (root, loop devices): the kernel then refuses writes past the budget.
 */
export async function attachSnapshot(options: {
  taskDir: string;
  snapshotDir: string;
  overlay: boolean;
  diskBudget?: DiskLayerSize;
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
  const layer = diskLayerDir(options.taskDir);
  // A task that has a layer keeps it (its writes are there); a new one gets one if it can.
  let layered = existsSync(diskLayerImage(layer));
  if (layered) await mountDiskLayer(layer, options.diskBudget ?? { bytes: 0, inodes: 0 });
  const fresh = !layered && !existsSync(path.join(options.taskDir, "upper"));
  if (fresh && options.diskBudget && (await diskLayerSupported(options.taskDir))) {
    // Could not after all (e.g. no free loop device): the budget is then watched instead.
    layered = await mountDiskLayer(layer, options.diskBudget).then(
      () => true,
      () => removeDiskLayer(layer).then(() => false),
    );
  }
  // Named from the task's folder, through a link to the snapshot: the mount table (which the
  // sandbox can read) then shows "lowerdir=lower,upperdir=disk/upper", no host path.
  const lowerLink = path.join(options.taskDir, "lower");
  await rm(lowerLink, { force: true });
  await symlink(options.snapshotDir, lowerLink);
  const writable = layered ? "disk" : ".";
  await mountOverlay(
    { lower: "lower", upper: `${writable}/upper`, work: `${writable}/work`, merged: "repo" },
    { cwd: options.taskDir },
  );
}

/** Unmounts the task's view (its disk layer stays mounted until detachDiskLayer). */
export async function detachSnapshot(taskDir: string, overlay: boolean): Promise<void> {
  if (overlay) await unmountOverlay(path.join(taskDir, "repo"));
}

export async function detachDiskLayer(taskDir: string): Promise<void> {
  await unmountDiskLayer(diskLayerDir(taskDir));
}

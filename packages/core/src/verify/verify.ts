/**
 * The verification gate: a finished code task's diff, applied to a fresh workspace of the same
 * commit and environment, and the environment's checks run there. What the agent said about its
 * tests is not evidence; this is. The workspace is new so that nothing the agent left behind
 * (build output, a patched test runner in node_modules, a stub binary) takes part.
 */
import { writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { createRedactor } from "../environments/redact.js";
import type { SnapshotScope } from "../environments/snapshot.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { ThreadItem } from "../events.js";
import { loadAgentsInstructions } from "../instructions/agents-md.js";
import type { OutboundAllowance } from "../network/operator-allowance.js";
import { createSandbox } from "../sandbox/index.js";
import type { ContainerOptions } from "../sandbox/types.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import { prepareTaskWorkspace, type SourceCheckout, taskUpperDir } from "../tasks/prepare.js";
import { gitInSandbox } from "../tasks/sandboxed-git.js";
import { checksFor } from "./checks.js";
import { boundedLog, checkLogEntry, type CheckRun, type EmitItem, runCheck } from "./run-check.js";
import { claimWorkDir, releaseWorkDir } from "./work-dir.js";

export type { CheckRun } from "./run-check.js";

export type VerifyStatus = "verified" | "checks_failed" | "skipped";

export interface VerifyResult {
  status: VerifyStatus;
  /** The checks that ran, in order; the first failing one ends the run. */
  checks: CheckRun[];
  /** Each check's command line, output and ending (head and tail kept), or why none ran. */
  log: string;
}

export interface VerifyOptions {
  home: string;
  /** Where the fresh workspace is made: created when absent, refused unless empty, removed at the end. */
  workDir: string;
  /** The commit the task started from (see inspectSource). */
  source: SourceCheckout;
  environment: ResolvedEnvironment;
  /** Whose snapshots verification may start from: the task's workspace and environment, as for the task. */
  snapshotScope: SnapshotScope;
  /** The task's diff, against that commit as the environment left it (as workspaceDiff gives it). */
  diff: string;
  sandbox: SandboxBackendName;
  container?: ContainerOptions;
  /** Private destinations the operator lets setup reach (config.toml `[outbound]`); checks get no network. */
  outbound?: OutboundAllowance;
  /** For the setup script, when the environment's snapshot must be made again; never given to checks. */
  secretValues?: Record<string, string>;
  /** Wall time of each check (default 10 minutes). */
  checkTimeoutMs?: number;
  /** How AGENTS.md is read when the environment declares no checks (as for the agent's instructions). */
  agentsMd?: { fallbackNames?: string[]; maxBytes?: number };
  signal?: AbortSignal;
  /** Setup (when it runs) and each check, as command_execution items; a diff that does not apply as an error item. */
  emitItem?: EmitItem;
  nextItemId?: () => string;
  /** Applied to all output that leaves (default: the secret values removed). */
  redact?: (text: string) => string;
}

export class VerificationCancelledError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("verification cancelled", options);
    this.name = "VerificationCancelledError";
  }
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10 * 60 * 1000;

/** The verification's own branch in its workspace (the workspace is thrown away). */
const VERIFY_BRANCH = "quire/verify";

const SKIPPED_LOG =
  "skipped: no checks to run (the environment declares no checks, and AGENTS.md names no command that runs the tests)\n";

/**
 * Applies `diff` to a fresh workspace of `source.commit` (the environment's cached snapshot when
 * fresh) inside the sandbox, then runs each check there with `sh -c`: writable workspace, no
 * network, no secrets, the environment's limits. A diff that does not apply is a failed
 * verification, not an error. Throws VerificationCancelledError when `signal` aborts, and the
 * preparation's error when the workspace cannot be made. The work directory is always removed.
 */
export async function verifyDiff(options: VerifyOptions): Promise<VerifyResult> {
  const signal = options.signal ?? new AbortController().signal;
  // Before the try: a folder that is refused is the caller's, and is not removed.
  const workDir = await claimWorkDir(options.workDir);
  const redact = options.redact ?? createRedactor(options.secretValues ?? {});
  let itemIndex = 0;
  const nextItemId = options.nextItemId ?? (() => `verify_${itemIndex++}`);
  const emitItem: EmitItem = options.emitItem ?? (() => undefined);
  const stopIfAborted = (): void => {
    if (signal.aborted) throw new VerificationCancelledError();
  };
  try {
    stopIfAborted();
    const { workspace, overlay } = await prepareTaskWorkspace({
      home: options.home,
      taskDir: workDir,
      branch: VERIFY_BRANCH,
      source: options.source,
      environment: options.environment,
      snapshotScope: options.snapshotScope,
      secretValues: options.secretValues ?? {},
      sandbox: options.sandbox,
      container: options.container,
      ...(options.outbound ? { outbound: options.outbound } : {}),
      signal,
      nextItemId,
      emitItem,
      redact,
    });
    stopIfAborted();
    // Read before the diff is applied: a diff that rewrites AGENTS.md must not choose its own checks.
    const checks = checksFor(options.environment, await agentsMdText(workspace, workDir, options.agentsMd));
    if (checks.length === 0) return { status: "skipped", checks: [], log: SKIPPED_LOG };

    const refusal = await applyInSandbox(options, workspace, path.join(workDir, "patch"));
    if (refusal !== null) {
      emitItem("completed", { id: nextItemId(), type: "error", message: refusal } satisfies ThreadItem);
      return { status: "checks_failed", checks: [], log: `${refusal}\n` };
    }
    stopIfAborted();

    const { limits } = options.environment;
    const sandbox = createSandbox(options.sandbox, {
      workspace,
      writable: true,
      network: false,
      readOnlyPaths: [],
      ...(options.container ? { container: options.container } : {}),
      limits: {
        processes: limits.maxProcesses,
        memoryBytes: limits.memoryBytes,
        cpuSeconds: limits.cpuSeconds,
        fileSizeBytes: limits.fileSizeBytes,
        diskBytes: limits.diskBytes,
      },
      // Only what the checks write counts against the disk budget, and measuring it stays cheap.
      ...(overlay ? { diskUsageRoot: taskUpperDir(workDir) } : {}),
    });
    const runs: CheckRun[] = [];
    const entries: string[] = [];
    for (const command of checks) {
      const outcome = await runCheck({
        sandbox,
        command,
        cwd: workspace,
        // Plain variables only. CI=true: checks run unattended, and test runners then neither
        // watch nor prompt, as in a CI job.
        env: { CI: "true", ...options.environment.variables },
        timeoutMs: options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
        maxOutputBytes: limits.outputBytes,
        signal,
        itemId: nextItemId(),
        nextItemId,
        emitItem,
        redact,
      });
      if (outcome.cancelled || signal.aborted) throw new VerificationCancelledError();
      runs.push(outcome.run);
      entries.push(checkLogEntry(outcome));
      // As in a CI job, a failed step ends the run: later checks often need the earlier ones.
      if (outcome.run.exitCode !== 0) break;
    }
    const passed = runs.every((run) => run.exitCode === 0);
    return { status: passed ? "verified" : "checks_failed", checks: runs, log: boundedLog(entries) };
  } catch (error) {
    if (signal.aborted && !(error instanceof VerificationCancelledError)) {
      throw new VerificationCancelledError({ cause: error });
    }
    throw error;
  } finally {
    await releaseWorkDir(workDir);
  }
}

/** The repository's AGENTS.md instructions at the workspace root. */
async function agentsMdText(workspace: string, workDir: string, agentsMd: VerifyOptions["agentsMd"]): Promise<string> {
  const instructions = await loadAgentsInstructions({
    // No global file: a user's personal AGENTS.md speaks to the agent, not for this repository's
    // checks. This folder does not exist, so none is found there.
    quireHome: path.join(workDir, "no-global-agents-md"),
    repoRoot: workspace,
    cwd: workspace,
    ...agentsMd,
  });
  return instructions.text;
}

/**
 * Applies the diff with `git apply` inside the sandbox (the workspace holds what setup wrote, and
 * its git config and attributes are not to be trusted on the host). All or nothing. Returns why
 * it did not apply, or null.
 */
async function applyInSandbox(options: VerifyOptions, workspace: string, patchDir: string): Promise<string | null> {
  if (options.diff.trim() === "") return null;
  await mkdir(patchDir, { mode: 0o700 });
  const patchFile = path.join(patchDir, "task.patch");
  await writeFile(patchFile, options.diff);
  try {
    await gitInSandbox({
      backend: options.sandbox,
      workspace,
      readOnlyPaths: [patchDir],
      script: 'git apply --whitespace=nowarn -- "$1"',
      args: [patchFile],
    });
    return null;
  } catch (error) {
    const said = (error as Error).message.replace(/^git in the workspace failed \([^)]*\): /, "").trim();
    return `the task's diff does not apply to ${options.source.commit.slice(0, 12)}; no check ran.\n${said}`;
  }
}

// The smaller pieces of running a task: defaults, redaction of events, the record, limits.
import path from "node:path";
import type { AgentLimits } from "../agent/loop.js";
import {
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_NETWORK_POLICY,
  DEFAULT_RESOURCE_LIMITS,
  DEFAULT_SETUP_NETWORK_POLICY,
} from "../environments/defaults.js";
import { isMounted } from "../environments/overlay.js";
import { redactEvent } from "../environments/redact.js";
import { LOCAL_SNAPSHOT_SCOPE } from "../environments/snapshot.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { QuireEvent } from "../events.js";
import type { TaskDiffOptions } from "./changed-diff.js";
import { detachDiskLayer, detachSnapshot, taskUpperDir } from "./prepare.js";
import type { EnvironmentForTask, NewTaskOptions, TaskRunOptions } from "./task-options.js";
import { stripSetIdBits } from "./setid.js";
import type { TaskRecord } from "./store.js";
import type { TaskStore } from "./task-store.js";

/** Safe defaults, for a repository without an environment definition. */
export function defaultEnvironment(): ResolvedEnvironment {
  return {
    sources: [],
    setupScript: null,
    maintenanceScript: null,
    variables: {},
    secrets: [],
    network: { ...DEFAULT_NETWORK_POLICY },
    setupNetwork: { ...DEFAULT_SETUP_NETWORK_POLICY, domains: [] },
    limits: { ...DEFAULT_RESOURCE_LIMITS },
    checks: [],
    cacheTtlMs: DEFAULT_CACHE_TTL_MS,
  };
}

/**
 * Unmounts the task's view and clears set-id bits the task's commands may have set. On every path
 * out: a preparation that failed after mounting (a failing maintenance script, a failed checkout)
 * has not recorded `overlay` yet, so the mount table is asked too.
 */
export async function releaseWorkspace(store: TaskStore, record: TaskRecord): Promise<void> {
  if (!record.workspace) return;
  const taskDir = store.taskDir(record.id);
  const mounted = await isMounted(path.join(taskDir, "repo"));
  await detachSnapshot(taskDir, !!record.overlay || mounted);
  await stripSetIdBits(record.overlay || mounted ? taskUpperDir(taskDir) : record.workspace).catch(() => []);
  await detachDiskLayer(taskDir);
}

/**
 * The overlay's layers of a task's workspace, for taking its diff from what it changed
 * (changed-diff.ts); nothing when the workspace is a copy (then the whole tree is diffed).
 */
export function taskOverlayLayers(
  taskDir: string,
  record: Pick<TaskRecord, "overlay" | "snapshotDir">,
): { overlay?: NonNullable<TaskDiffOptions["overlay"]> } {
  if (!record.overlay || !record.snapshotDir) return {};
  return {
    overlay: {
      upper: taskUpperDir(taskDir),
      lower: record.snapshotDir,
      scratchDir: path.join(taskDir, "diff-paths"),
      // Quire's folder of the snapshot (the checkout is its "snapshot/" inside).
      cacheDir: path.dirname(record.snapshotDir),
    },
  };
}

/** Holds the secret redaction of a task; known once its environment is resolved. */
export interface Redactor {
  redact: (text: string) => string;
}

export async function environmentOf(options: TaskRunOptions, sourceRoot: string): Promise<EnvironmentForTask> {
  const given = await options.environmentFor?.(sourceRoot);
  return given ?? { environment: defaultEnvironment(), secretValues: {}, snapshotScope: LOCAL_SNAPSHOT_SCOPE };
}

/** Every event is redacted, then written to disk, then handed on: no secret value leaves the task. */
export function eventSink(
  store: TaskStore,
  record: TaskRecord,
  options: TaskRunOptions,
  redactor: Redactor,
): (event: QuireEvent) => void {
  return (event) => {
    const safe = redactEvent(event, redactor.redact);
    store.appendEvent(record.id, safe);
    options.onEvent(safe);
  };
}

export function newRecord(id: string, options: NewTaskOptions): TaskRecord {
  const now = new Date().toISOString();
  return {
    id,
    mode: options.mode,
    prompts: [options.prompt],
    sourceRoot: options.repo,
    baseCommit: "",
    branch: `quire/${id}`,
    workspace: "",
    readOnlyPaths: [],
    provider: options.model.provider,
    model: options.model.model,
    sandbox: options.sandbox,
    status: "running",
    pid: process.pid,
    finalMessage: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** The environment sets command timeouts; the task's wall time is the tighter of both. */
export function withEnvironmentLimits(limits: AgentLimits, environment: ResolvedEnvironment): AgentLimits {
  return {
    ...limits,
    commandTimeoutMs: environment.limits.commandTimeoutMs,
    maxCommandTimeoutMs: environment.limits.maxCommandTimeoutMs,
    maxWallTimeMs: Math.min(limits.maxWallTimeMs, environment.limits.taskTimeoutMs),
  };
}

/**
 * Shared ground for the attack suite: a host layout that looks like a Quire machine (Quire's
 * home with config and database, this task's workspace, another task's workspace, a cached
 * environment snapshot), the real bwrap sandbox over it, and ways to check the host afterwards.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSandbox, type ExecResult, type Sandbox, type SandboxPolicy, type ThreadItem } from "@quire/core";
import type { TaskMode, ToolContext } from "@quire/core";
import { detachDiskLayer, detachSnapshot } from "../../packages/core/src/tasks/prepare.js";

export const unique = (): string => randomBytes(6).toString("hex");

export interface HostLayout {
  /** Everything below lives here; removed by `cleanup`. */
  root: string;
  /** Stands for ~/.quire: config, database and every task. */
  quireHome: string;
  /** This task's workspace (realpath), inside quireHome/tasks. */
  workspace: string;
  /** Another task's workspace, beside this one. */
  otherWorkspace: string;
  /** A cached, set-up environment snapshot that tasks get a copy-on-write view of. */
  snapshot: string;
  /** Host-only directory, outside everything the sandbox is given. */
  outside: string;
  /** Unique text inside every secret file above; must never show inside. */
  secret: string;
  cleanup(): void;
}

export function makeHostLayout(): HostLayout {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-attack-")));
  const secret = `quire-secret-${unique()}`;
  const quireHome = path.join(root, "quire-home");
  const workspace = path.join(quireHome, "tasks", "task-a", "repo");
  const otherWorkspace = path.join(quireHome, "tasks", "task-b", "repo");
  const snapshot = path.join(root, "snapshots", "env-1");
  const outside = path.join(root, "outside");
  for (const dir of [workspace, otherWorkspace, snapshot, outside]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(quireHome, "config.toml"), `[providers.openai]\napi_key = "${secret}"\n`);
  writeFileSync(path.join(quireHome, "quire.db"), `SQLite format 3\0${secret}`);
  writeFileSync(path.join(quireHome, "tasks", "task-a", "events.jsonl"), `{"secret":"${secret}"}\n`);
  writeFileSync(path.join(otherWorkspace, ".env"), `TOKEN=${secret}\n`);
  writeFileSync(path.join(snapshot, "setup-output.txt"), `${secret}\n`);
  writeFileSync(path.join(outside, "secret.txt"), `${secret}\n`);
  writeFileSync(path.join(workspace, "README.md"), "a task's repository\n");
  return { root, quireHome, workspace, otherWorkspace, snapshot, outside, secret, cleanup: () => rmAll(root) };
}

function rmAll(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function sandboxFor(layout: HostLayout, policy: Partial<SandboxPolicy> = {}): Sandbox {
  return createSandbox("bwrap", { workspace: layout.workspace, writable: true, network: false, ...policy });
}

/** Runs a shell script in the sandbox, in the workspace, the way the shell tool would. */
export function sh(
  sandbox: Sandbox,
  script: string,
  options: { timeoutMs?: number; maxOutputBytes?: number; shell?: string } = {},
): Promise<ExecResult> {
  return sandbox.exec({
    argv: [options.shell ?? "bash", "-c", script],
    cwd: sandbox.policy.workspace,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxOutputBytes: options.maxOutputBytes ?? 256 * 1024,
  });
}

/** Every file under `dir` with its contents, for "nothing changed here" assertions. */
export function treeOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full);
      if (entry.isDirectory()) {
        files[`${rel}/`] = "";
        walk(full);
      } else {
        files[rel] = entry.isSymbolicLink() ? "<symlink>" : readFileSync(full, "latin1");
      }
    }
  };
  walk(dir);
  return files;
}

/** Pids of host processes with `token` as one of their arguments. */
export function processesWith(token: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(token)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Emitted {
  phase: "started" | "updated" | "completed";
  item: ThreadItem;
}

/** A tool context over the real sandbox, recording every emitted item. */
export function toolContext(
  layout: HostLayout,
  options: { mode?: TaskMode; limits?: Partial<ToolContext["limits"]> } = {},
): { context: ToolContext; emitted: Emitted[] } {
  const mode = options.mode ?? "code";
  const emitted: Emitted[] = [];
  let next = 0;
  const context: ToolContext = {
    mode,
    workspace: layout.workspace,
    sandbox: sandboxFor(layout, { writable: mode === "code" }),
    signal: new AbortController().signal,
    limits: { defaultTimeoutMs: 10_000, maxTimeoutMs: 20_000, maxOutputBytes: 10_000, ...options.limits },
    nextItemId: () => `item_${next++}`,
    emitItem: (phase, item) => emitted.push({ phase, item }),
  };
  return { context, emitted };
}

/** A host layout with a task folder of its own and a snapshot holding a README, for mount tests. */
export function taskLayout(taskName: string): { host: HostLayout; taskDir: string } {
  const host = makeHostLayout();
  const taskDir = path.join(host.quireHome, "tasks", taskName);
  mkdirSync(taskDir, { recursive: true });
  writeFileSync(path.join(host.snapshot, "README.md"), "the snapshot\n");
  return { host, taskDir };
}

/** Unmounts what a test attached in `taskLayout`'s task folder, then removes the layout. */
export async function releaseTaskLayout(layout: { host: HostLayout; taskDir: string }): Promise<void> {
  await detachSnapshot(layout.taskDir, true);
  await detachDiskLayer(layout.taskDir);
  layout.host.cleanup();
}

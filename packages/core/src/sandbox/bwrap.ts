import { type ChildProcess, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import path from "node:path";
import { proxyBridgeArgs, proxyEnv, withProxyForwarder } from "./proxy-bridge.js";
import { resolveLimits, rlimitArgv } from "./limits.js";
import { createLimitEnforcer } from "./limits-run.js";
import { liveProcessStart, processEnded } from "./process-exit.js";
import { sandboxEtc } from "./sandbox-etc.js";
import { systemAliasArgs } from "./system-view.js";
import { SANDBOX_WORKSPACE, viewPathOf } from "./workspace-view.js";
import {
  SANDBOX_HOME,
  SANDBOX_PATH,
  type ExecRequest,
  type Sandbox,
  type SandboxPolicy,
  type StdioRequest,
} from "./types.js";

/** The private HOME holds dotfiles and caches of one command: small. */
const PRIVATE_HOME_BYTES = 256 * 1024 * 1024;
/** The private /tmp is RAM: bounded by the disk and the memory budgets, and 1 GiB at most. */
const PRIVATE_TMP_MAX_BYTES = 1024 * 1024 * 1024;

/** POSIX shared memory (Python's multiprocessing, Chromium): RAM as well, a quarter of the budget at most. */
const PRIVATE_SHM_MAX_BYTES = 256 * 1024 * 1024;

function privateTmpBytes(policy: SandboxPolicy): number {
  const limits = resolveLimits(policy.limits);
  return Math.min(limits.diskBytes, limits.memoryBytes, PRIVATE_TMP_MAX_BYTES);
}

function privateShmBytes(policy: SandboxPolicy): number {
  return Math.min(Math.floor(resolveLimits(policy.limits).memoryBytes / 4), PRIVATE_SHM_MAX_BYTES);
}

/** The command's private tmpfs mounts, watched from the host through its sandbox's init. */
const SCRATCH_MOUNTS = ["/tmp", SANDBOX_HOME, "/dev/shm"];

/**
 * The unprivileged identity inside. Running as uid 0 in the user namespace would give the
 * command every capability there (mount, chroot, raw sockets on its own net ns...); as 1000
 * bwrap drops them all. Host files owned by the user running Quire map to 1000, so the
 * workspace stays writable and files written in it belong to that user on the host.
 */
const SANDBOX_UID = "1000";
const SANDBOX_HOSTNAME = "quire-sandbox";

function workspaceArgs(policy: SandboxPolicy): string[] {
  return [policy.writable ? "--bind" : "--ro-bind", realpathSync(policy.workspace), SANDBOX_WORKSPACE];
}

/** A host path inside the policy's workspace (either spelling), as commands see it; others as they are. */
export function sandboxPathOf(policy: SandboxPolicy, hostPath: string): string {
  const roots = [path.resolve(policy.workspace), realpathSync(policy.workspace)];
  return viewPathOf(roots, SANDBOX_WORKSPACE, hostPath);
}

/**
 * The complete bwrap command line for one exec. Order matters: later mounts cover earlier
 * ones. The extra read-only paths keep their host paths (git's alternates name them), so they
 * come after /tmp and HOME (one under /tmp stays visible).
 */
function bwrapArgs(policy: SandboxPolicy, request: ExecRequest, etc: { args: string[] }): string[] {
  // Allowlist mode: no network of its own, only the filtering proxy (see proxy-bridge.ts).
  const proxy = policy.network ? undefined : policy.proxy;
  const env: Record<string, string> = {
    PATH: SANDBOX_PATH,
    HOME: SANDBOX_HOME,
    LANG: "C.UTF-8",
    TERM: "dumb",
    TMPDIR: "/tmp",
    ...(proxy ? proxyEnv() : {}),
    ...request.env,
  };
  return [
    // --unshare-all only *tries* the user namespace; --unshare-user makes it mandatory, and
    // --disable-userns keeps the command from nesting more (a large kernel attack surface).
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    ...(policy.network ? ["--share-net"] : []),
    // Started by root, bwrap would leave the command its capabilities (inside the user
    // namespace); --uid drops them as well, this makes it explicit.
    "--cap-drop",
    "ALL",
    "--uid",
    SANDBOX_UID,
    "--gid",
    SANDBOX_UID,
    "--hostname",
    SANDBOX_HOSTNAME,
    "--die-with-parent",
    // A new session: the command cannot push keystrokes into Quire's terminal (TIOCSTI).
    "--new-session",
    // Tells us the host pid of the sandbox's init (see createBwrapSandbox).
    "--info-fd",
    "3",
    "--ro-bind",
    "/usr",
    "/usr",
    ...systemAliasArgs(),
    ...etc.args,
    "--ro-bind-try",
    "/opt",
    "/opt",
    "--proc",
    "/proc",
    // bwrap's /dev is a tmpfs of its own with no size: read-only, and /dev/shm a sized one.
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--size",
    String(privateShmBytes(policy)),
    "--tmpfs",
    "/dev/shm",
    "--remount-ro",
    "/dev",
    // Sized: tmpfs pages live in the host's memory, and no other limit counts them.
    "--size",
    String(privateTmpBytes(policy)),
    "--tmpfs",
    "/tmp",
    "--size",
    String(PRIVATE_HOME_BYTES),
    "--tmpfs",
    SANDBOX_HOME,
    ...(policy.readOnlyPaths ?? []).flatMap((readable) => ["--ro-bind", readable, readable]),
    ...workspaceArgs(policy),
    ...(proxy ? proxyBridgeArgs(proxy.socketPath) : []),
    "--chdir",
    sandboxPathOf(policy, request.cwd),
    "--clearenv",
    ...Object.entries(env).flatMap(([name, value]) => ["--setenv", name, value]),
    "--",
    ...(proxy ? withProxyForwarder(request.argv) : request.argv),
  ];
}

/** bwrap prints "bwrap: execvp X: <error>" and exits 1 when the command cannot be started. */
function execFailureExitCode(code: number, stderrStart: string): number {
  if (code !== 1) return code;
  const failure = /^bwrap: execvp [^\n]*: (No such file or directory|Permission denied)/.exec(stderrStart);
  if (!failure) return code;
  return failure[1] === "Permission denied" ? 126 : 127;
}

/** Longest wait for the kernel to kill what was left in a sandbox's pid namespace. */
const TEARDOWN_MAX_MS = 2000;

/**
 * Runs every command in fresh namespaces: a read-only system, a private /tmp and HOME, the
 * workspace (read-only in ask mode), no network unless the policy allows it, no host
 * environment, and a pid namespace so nothing it starts survives it.
 *
 * bwrap itself exits as soon as the command does (or when killed), while the kernel is still
 * tearing the pid namespace down. Its init, whose pid bwrap reports on --info-fd, only ends
 * once every other process in the namespace is gone; the result waits for that, so nothing
 * the command started (even with its output redirected) is running when exec returns.
 */
export function createBwrapSandbox(policy: SandboxPolicy, bwrapPath = "bwrap"): Sandbox {
  const enforcer = createLimitEnforcer(policy);
  return {
    backend: "bwrap",
    policy,
    cpuSeconds: () => enforcer.cpuSeconds(),
    exhausted: () => enforcer.exhausted(),
    async exec(request) {
      let info = "";
      let init: { pid: number; start: string } | null = null;
      const onInfo = (text: string): void => {
        if (init) return; // only bwrap's first report counts
        info += text;
        const pid = /"child-pid": (\d+)/.exec(info)?.[1];
        const start = pid === undefined ? null : liveProcessStart(Number(pid));
        if (pid !== undefined && start !== null) init = { pid: Number(pid), start };
      };
      const untilDone = async (): Promise<void> => {
        if (init) await processEnded(init.pid, init.start, TEARDOWN_MAX_MS);
      };
      // Their file counts are watched (limits-watch.ts): bwrap cannot pass tmpfs's nr_inodes.
      const scratchMounts = (): string[] => {
        const pid = init?.pid;
        return pid === undefined ? [] : SCRATCH_MOUNTS.map((mount) => `/proc/${pid}/root${mount}`);
      };
      // The rlimits are set inside, on the command only: bwrap and its init stay unaffected.
      // RLIMIT_NPROC counts the sandbox user's processes in its own user namespace, i.e. this
      // command's, except when Quire runs as root (root is exempt; the cgroup covers that).
      const argv = rlimitArgv(enforcer.limits, request.argv, { processes: true });
      // fd 3 is --info-fd; the synthetic /etc files come on the fds after it.
      const etc = sandboxEtc({ uid: SANDBOX_UID, hostname: SANDBOX_HOSTNAME, network: policy.network, firstFd: 4 });
      const args = bwrapArgs(policy, { ...request, argv }, etc);
      return enforcer.run(
        {
          file: bwrapPath,
          args,
          env: {},
          cwd: "/",
          mapExitCode: execFailureExitCode,
          onInfo,
          untilDone,
          scratchMounts,
          inputFds: etc.inputFds,
        },
        request,
      );
    },
    spawnStdio: (request) => spawnStdioInBwrap(policy, bwrapPath, request),
  };
}

/**
 * A long-lived process in the same sandbox as the commands (an MCP server), its stdin and stdout
 * piped to the caller: the same namespaces, mounts, network and per-process limits (rlimits); it
 * dies with Quire (--die-with-parent) and when the caller kills it.
 */
function spawnStdioInBwrap(policy: SandboxPolicy, bwrapPath: string, request: StdioRequest): ChildProcess {
  const limits = resolveLimits(policy.limits);
  const argv = rlimitArgv(limits, request.argv, { processes: true });
  const etc = sandboxEtc({ uid: SANDBOX_UID, hostname: SANDBOX_HOSTNAME, network: policy.network, firstFd: 4 });
  const args = bwrapArgs(policy, { argv, cwd: request.cwd, env: request.env, timeoutMs: 0, maxOutputBytes: 0 }, etc);
  const child = spawn(bwrapPath, args, {
    cwd: "/",
    env: {},
    stdio: ["pipe", "pipe", "pipe", "pipe", ...etc.inputFds.map(() => "pipe" as const)],
  });
  etc.inputFds.forEach((content, index) => {
    const pipe = child.stdio[4 + index] as NodeJS.WritableStream | null;
    pipe?.on("error", () => undefined);
    pipe?.end(content);
  });
  // bwrap's --info-fd report is not needed here; it is read so the pipe never fills.
  (child.stdio[3] as NodeJS.ReadableStream | null)?.resume();
  return child;
}

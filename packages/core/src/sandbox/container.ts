import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import type { SandboxResourceLimits } from "./limits.js";
import { createLimitEnforcer } from "./limits-run.js";
import { filteredEnv } from "./host-env.js";
import { SANDBOX_HOME, type ContainerOptions, type ExecRequest, type Sandbox, type SandboxPolicy } from "./types.js";

/** Writable scratch space; exec allowed (build tools run what they write there), set-uid not. */
const SCRATCH_MOUNT_OPTIONS = "rw,exec,nosuid,nodev,mode=1777";

/** Longest wait for `<engine> kill` / `rm` after a command was stopped. */
const ENGINE_CLEANUP_MAX_MS = 10_000;

/** What the container's identity, name and open-files limit are; given explicitly by the tests. */
export interface ContainerRunContext {
  /** `--name`, so a stopped command's container can be killed by the engine. */
  name: string;
  /** uid:gid inside; Quire's own, so files written in the workspace belong to its user on the host. */
  user: string;
  /** RLIMIT_NOFILE hard limit to ask for, or null to leave the engine's default. */
  openFiles: number | null;
}

/**
 * The hard open-files limit of this process. Podman asks for 1048576 by default; the runtime
 * may not raise a limit above its own (a rootful engine inside a container), so we ask for ours.
 */
export function hostOpenFilesLimit(limitsFile = "/proc/self/limits"): number | null {
  try {
    const hard = /^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync(limitsFile, "utf8"))?.[1];
    return hard === undefined ? null : Number(hard);
  } catch {
    return null;
  }
}

/** The workspace at its real path and at the policy's spelling too when they differ (as in bwrap.ts). */
function workspaceVolumes(policy: SandboxPolicy): string[] {
  const mode = policy.writable ? "" : ":ro";
  const real = realpathSync(policy.workspace);
  const spelled = path.resolve(policy.workspace);
  const volumes = ["-v", `${real}:${real}${mode}`];
  if (spelled !== real) volumes.push("-v", `${real}:${spelled}${mode}`);
  return volumes;
}

function limitArgs(limits: SandboxResourceLimits, openFiles: number | null): string[] {
  return [
    "--pids-limit",
    String(limits.processes),
    "--memory",
    String(limits.memoryBytes),
    // Per process, like the other backends' prlimit (the image may not have prlimit).
    "--ulimit",
    `cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    "--ulimit",
    `fsize=${limits.fileSizeBytes}`,
    "--ulimit",
    `nproc=${limits.processes}:${limits.processes}`,
    "--ulimit",
    "core=0:0",
    ...(openFiles === null ? [] : ["--ulimit", `nofile=${openFiles}:${openFiles}`]),
  ];
}

/**
 * The complete `<engine> run` argument list for one exec. The environment is only what is
 * given here: PATH stays the image's own (an image carrying toolchains sets it) unless the
 * request sets it. No allowlist proxy: with network off and a proxy in the policy, the
 * command simply has no network (closed, never open).
 */
export function containerRunArgs(
  policy: SandboxPolicy,
  options: ContainerOptions,
  limits: SandboxResourceLimits,
  request: ExecRequest,
  context: ContainerRunContext,
): string[] {
  const env: Record<string, string> = {
    HOME: SANDBOX_HOME,
    LANG: "C.UTF-8",
    TERM: "dumb",
    TMPDIR: "/tmp",
    ...request.env,
  };
  return [
    "run",
    "--rm",
    "--name",
    context.name,
    // A pull inside a command's time limit would eat it, and be retried by every command.
    "--pull=never",
    // Only the engine's default bridge when the network is allowed; no host network ever.
    ...(policy.network ? [] : ["--network", "none"]),
    "--hostname",
    "quire-sandbox",
    "--read-only",
    "--tmpfs",
    `/tmp:${SCRATCH_MOUNT_OPTIONS}`,
    "--tmpfs",
    `${SANDBOX_HOME}:${SCRATCH_MOUNT_OPTIONS}`,
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    ...limitArgs(limits, context.openFiles),
    "--user",
    context.user,
    ...(policy.readOnlyPaths ?? []).flatMap((readable) => ["-v", `${readable}:${readable}:ro`]),
    ...workspaceVolumes(policy),
    "-w",
    request.cwd,
    ...Object.entries(env).flatMap(([name, value]) => ["--env", `${name}=${value}`]),
    options.image,
    ...request.argv,
  ];
}

/** Runs `<engine> args…` to its end (or for at most maxMs), ignoring its output and failure. */
function runEngine(engine: string, args: string[], maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(engine, args, { stdio: "ignore", env: filteredEnv(), timeout: maxMs });
    child.on("error", () => resolve());
    child.on("close", () => resolve());
  });
}

/**
 * Runs every command in a fresh container of `options.image`: read-only image, private /tmp
 * and HOME, the workspace (read-only in ask mode), no network unless allowed, no capabilities,
 * the policy's limits as the engine's cgroup and rlimit flags.
 *
 * The engine client (`podman run`) is what spawnBounded runs, so output, the time limit and
 * exit codes work as for the other backends (the engine exits 127/126 when the command cannot
 * be found/run, 125 when it cannot start the container). Killing the client does not kill the
 * container (conmon or the Docker daemon own it), so a stopped command's container is killed
 * by name, then removed, before exec returns.
 */
export function createContainerSandbox(policy: SandboxPolicy, options: ContainerOptions): Sandbox {
  const enforcer = createLimitEnforcer(policy);
  const user = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
  const openFiles = hostOpenFilesLimit();
  return {
    backend: "container",
    policy,
    cpuSeconds: () => enforcer.cpuSeconds(),
    exhausted: () => enforcer.exhausted(),
    async exec(request) {
      if (request.argv[0] === undefined) throw new Error("exec needs a command");
      const name = `quire-${randomBytes(8).toString("hex")}`;
      const args = containerRunArgs(policy, options, enforcer.limits, request, { name, user, openFiles });
      // The client is trusted host code: it gets the host environment (DOCKER_HOST, CONTAINERS_CONF,
      // XDG_RUNTIME_DIR…) without secrets; the command only gets what args says.
      const result = await enforcer.run({ file: options.engine, args, env: filteredEnv(), cwd: "/" }, request);
      if (result.exitCode !== null) return result; // the client saw the container end (and removed it)
      await runEngine(options.engine, ["kill", name], ENGINE_CLEANUP_MAX_MS);
      const force = options.engine === "podman" ? ["rm", "--force", "--ignore", "--time", "0"] : ["rm", "--force"];
      await runEngine(options.engine, [...force, name], ENGINE_CLEANUP_MAX_MS);
      return result;
    },
  };
}

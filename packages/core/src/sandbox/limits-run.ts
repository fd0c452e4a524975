import { plainExecFailure } from "./exec-failure.js";
import { DiskBudget } from "./limits-disk.js";
import { describeDiskOverrun, watchUsage } from "./limits-watch.js";
import { createCommandCgroup } from "./limits-cgroup.js";
import { describeLimitHit, formatMiB, limitFromOutcome, resolveLimits } from "./limits.js";
import type { LimitKind, SandboxResourceLimits } from "./limits.js";
import { outputHardCap, spawnBounded } from "./spawn-bounded.js";
import type { ProcessSpec } from "./spawn-bounded.js";
import type { ExecRequest, ExecResult, SandboxPolicy } from "./types.js";

/** Longest wait for a command's cgroup to empty once everything in it was killed. */
const CGROUP_REMOVE_MAX_MS = 2000;

/** Runs a backend's processes under a policy's limits; one per sandbox (the disk baseline is the task's). */
export interface LimitEnforcer {
  readonly limits: SandboxResourceLimits;
  /** CPU seconds of every command run so far, where the host lets them be measured; else null. */
  cpuSeconds(): number | null;
  /** Why the task must stop (its disk budget is spent), once a command went past it; else null. */
  exhausted(): string | null;
  run(spec: ProcessSpec, request: ExecRequest): Promise<ExecResult>;
}

/**
 * Puts each command in its own cgroup when the host allows (see limits-cgroup.ts), runs it
 * through spawnBounded while watching its disk use (limits-watch.ts: the command is killed the
 * moment the workspace or a private tmpfs goes past its budget), then says which limit stopped
 * it, if any. The rlimits are the backend's part: they go into its argv (rlimitArgv), inside
 * the sandbox. A disk overrun spends the task's budget: every later command is refused.
 */
export function createLimitEnforcer(policy: SandboxPolicy): LimitEnforcer {
  const limits = resolveLimits(policy.limits);
  const disk =
    policy.writable && policy.watchDisk !== false
      ? new DiskBudget(
          policy.diskUsageRoot ?? policy.workspace,
          limits.diskBytes,
          limits.inodes,
          policy.diskUsageRoot !== undefined && policy.diskUsageOwnFileSystem === true,
        )
      : null;
  let cpuSeconds: number | null = null;
  let exhausted: string | null = null;
  return {
    limits,
    cpuSeconds: () => cpuSeconds,
    exhausted: () => exhausted,
    async run(spec, request) {
      if (exhausted !== null) return refused(exhausted, limits);
      await disk?.start();
      const cgroup = createCommandCgroup(limits);
      const limited: ProcessSpec = cgroup ? { ...spec, ...cgroup.wrap(spec.file, spec.args) } : spec;
      let result: ExecResult;
      let found: { processes: boolean; memory: boolean } | undefined;
      let overrun: string | null = null;
      const stopForDisk = new AbortController();
      const watch = watchUsage({
        disk,
        ...(spec.scratchMounts ? { scratchMounts: spec.scratchMounts } : {}),
        onExceeded: (detail) => {
          overrun = detail;
          cgroup?.kill();
          stopForDisk.abort();
        },
      });
      const signal = request.signal ? AbortSignal.any([request.signal, stopForDisk.signal]) : stopForDisk.signal;
      try {
        result = plainExecFailure(await spawnBounded(limited, { ...request, signal }));
        found = cgroup?.events();
      } finally {
        await watch.stop();
        cgroup?.kill();
        const used = cgroup?.cpuSeconds() ?? null;
        if (used !== null) cpuSeconds = (cpuSeconds ?? 0) + used;
        // Kills whatever is left (even what escaped the process group) and waits for it.
        await cgroup?.remove(CGROUP_REMOVE_MAX_MS);
      }
      const hits: { kind: LimitKind; detail?: string }[] = [];
      const kind: LimitKind | undefined = found?.memory
        ? "memory"
        : found?.processes
          ? "processes"
          : (result.limitHit ?? (result.cancelled ? undefined : limitFromOutcome(result.exitCode, result.output)));
      if (kind === "output") hits.push({ kind, detail: `more than ${formatMiB(outputHardCap(request))} written` });
      else if (kind) hits.push({ kind });
      // Also after the end: a command shorter than one look of the watch.
      const after = overrun === null && disk ? await disk.overLimit() : null;
      if (after && disk) overrun = describeDiskOverrun(after, disk);
      if (overrun !== null) {
        hits.push({ kind: "disk", detail: overrun });
        exhausted = `disk limit exceeded: ${overrun}`;
        // Stopped by the watch, not by the user: not a cancellation.
        if (!request.signal?.aborted) result = { ...result, cancelled: false };
      }
      const limitHit = hits[0]?.kind ?? (result.timedOut ? "timeout" : undefined);
      if (limitHit === undefined) return result;
      const message = hits.map((hit) => describeLimitHit(hit.kind, limits, hit.detail)).join("\n");
      return { ...result, limitHit, ...(message ? { limitMessage: message } : {}) };
    },
  };
}

/** A command refused without running: the task's disk budget is spent. */
function refused(reason: string, limits: SandboxResourceLimits): ExecResult {
  const message = `${reason}; no further command runs in this task (limit ${formatMiB(limits.diskBytes)}, ${limits.inodes} files)`;
  return {
    exitCode: null,
    output: "",
    timedOut: false,
    cancelled: false,
    durationMs: 0,
    limitHit: "disk",
    limitMessage: message,
  };
}

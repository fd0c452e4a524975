import { plainExecFailure } from "./exec-failure.js";
import { DiskBudget } from "./limits-disk.js";
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
  run(spec: ProcessSpec, request: ExecRequest): Promise<ExecResult>;
}

/**
 * Puts each command in its own cgroup when the host allows (see limits-cgroup.ts), runs it
 * through spawnBounded, then says which limit stopped it, if any, and whether the workspace
 * grew past its disk budget. The rlimits are the backend's part: they go into its argv
 * (rlimitArgv), inside the sandbox.
 */
export function createLimitEnforcer(policy: SandboxPolicy): LimitEnforcer {
  const limits = resolveLimits(policy.limits);
  const disk = policy.writable ? new DiskBudget(policy.diskUsageRoot ?? policy.workspace, limits.diskBytes) : null;
  let cpuSeconds: number | null = null;
  return {
    limits,
    cpuSeconds: () => cpuSeconds,
    async run(spec, request) {
      await disk?.start();
      const cgroup = createCommandCgroup(limits);
      const limited: ProcessSpec = cgroup ? { ...spec, ...cgroup.wrap(spec.file, spec.args) } : spec;
      let result: ExecResult;
      let found: { processes: boolean; memory: boolean } | undefined;
      try {
        result = plainExecFailure(await spawnBounded(limited, request));
        found = cgroup?.events();
      } finally {
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
      const grown = await disk?.overLimit();
      if (grown) {
        const detail = `workspace grew to ${formatMiB(grown.grownBytes)} of ${formatMiB(limits.diskBytes)} allowed`;
        hits.push({ kind: "disk", detail });
      }
      const limitHit = hits[0]?.kind ?? (result.timedOut ? "timeout" : undefined);
      if (limitHit === undefined) return result;
      const message = hits.map((hit) => describeLimitHit(hit.kind, limits, hit.detail)).join("\n");
      return { ...result, limitHit, ...(message ? { limitMessage: message } : {}) };
    },
  };
}

/**
 * While a worker runs an attempt it renews the attempt's lease and looks for a cancel request,
 * every heartbeat. A lease it fails to renew was taken back (the worker was presumed dead): the
 * run stops and its outcome is not written over what recovery recorded.
 */
import type { Attempt } from "../storage/index.js";
import { syncTaskStatus } from "../tasks/status.js";
import type { WorkerContext } from "./context.js";

export interface LeaseKeeper {
  readonly lost: boolean;
  /** preparing -> running, once the workspace is ready. */
  markRunning(): void;
  stop(): void;
}

export function keepLease(
  ctx: WorkerContext,
  attempt: Attempt,
  taskId: string,
  controller: AbortController,
): LeaseKeeper {
  const { repos, logger } = ctx;
  let lost = false;
  let busy = false;
  const beat = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      if (!(await repos.attempts.renewLease(attempt.id, ctx.workerId, { leaseMs: ctx.leaseMs }))) {
        lost = true;
        controller.abort();
        return;
      }
      const task = await repos.tasks.get(taskId);
      if (task?.cancelRequestedAt) controller.abort();
    } catch (error) {
      // A database hiccup: the lease has slack for a few missed beats.
      logger.warn({ err: error, attemptId: attempt.id }, "lease renewal failed");
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void beat(), ctx.heartbeatMs);
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    markRunning: () => {
      void repos.attempts
        .markRunning(attempt.id, ctx.workerId)
        .then(() => syncTaskStatus(ctx, taskId))
        .catch((error: unknown) => logger.warn({ err: error, attemptId: attempt.id }, "marking running failed"));
    },
    stop: () => clearInterval(timer),
  };
}

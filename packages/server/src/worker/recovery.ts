/**
 * Attempts whose worker died: found by an expired lease (any process, any host) or, at startup,
 * by a worker id of this host whose process is gone. They end as "interrupted": every event the
 * dead worker stored stays, an error says what happened, and a follow-up can continue the attempt.
 */
import { hostname } from "node:os";
import { appendAndPublish } from "../events/event-hub.js";
import type { Attempt } from "../storage/index.js";
import { endAttempt } from "../tasks/service.js";
import type { WorkerContext } from "./context.js";

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Held attempts whose worker ran on this host in a process that no longer exists. */
export async function interruptDeadLocalWorkers(ctx: WorkerContext): Promise<Attempt[]> {
  const interrupted: Attempt[] = [];
  for (const attempt of await ctx.repos.attempts.listHeld()) {
    const [host, pid] = (attempt.workerId ?? "").split(":");
    if (host !== hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    if (!processIsGone(Number(pid))) continue;
    const reason = `interrupted: the worker process (pid ${pid}) running it is gone`;
    if (await ctx.repos.attempts.interruptHeld(attempt.id, attempt.workerId ?? "", reason)) {
      interrupted.push({ ...attempt, status: "interrupted", reason });
    }
  }
  await announce(ctx, interrupted);
  return interrupted;
}

/** Every attempt whose lease ran out. */
export async function interruptExpiredLeases(ctx: WorkerContext): Promise<Attempt[]> {
  const recovered = await ctx.repos.attempts.recoverExpired("interrupt");
  await announce(ctx, recovered);
  return recovered;
}

async function announce(ctx: WorkerContext, attempts: readonly Attempt[]): Promise<void> {
  for (const attempt of attempts) {
    ctx.metrics?.attemptsRecovered.inc();
    ctx.logger.warn({ taskId: attempt.taskId, attemptId: attempt.id, worker: attempt.workerId }, "attempt interrupted");
    const task = await ctx.repos.tasks.get(attempt.taskId);
    if (!task) continue;
    const reason = attempt.reason ?? "interrupted: its worker stopped";
    await appendAndPublish(ctx.repos, ctx.hub, task.id, attempt.id, [{ type: "error", message: reason }]);
    await endAttempt(ctx, task, attempt.id, { status: "interrupted", reason });
  }
}

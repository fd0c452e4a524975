/**
 * A process's workers: up to `concurrency` attempts at once. With the local queue (the embedded
 * default: SQLite, one process) attempts are claimed straight from storage whenever one is
 * queued here or a slot frees up; with pg-boss (PostgreSQL, many processes and machines) each
 * slot is a pg-boss worker. Either way a reaper interrupts attempts whose worker died.
 */
import { setMaxListeners } from "node:events";
import type { Attempt } from "../storage/index.js";
import type { Dispatcher } from "../tasks/service.js";
import type { WorkerContext } from "./context.js";
import type { PgBossQueue } from "./pg-boss-queue.js";
import { interruptDeadLocalWorkers, interruptExpiredLeases } from "./recovery.js";
import { runAttempt } from "./runner.js";

export interface WorkerPoolOptions {
  concurrency: number;
  /** Absent: the local queue. */
  queue?: PgBossQueue;
  /** How often to look for expired leases; defaults to a third of the lease. */
  reapEveryMs?: number;
}

/** What the API needs from the workers of its process. */
export class WorkerPool implements Dispatcher {
  private readonly running = new Map<string, { taskId: string; done: Promise<void> }>();
  private readonly shutdown = new AbortController();
  private readonly cancels = new Map<string, AbortController>();
  private pumping = false;
  private pumpAgain = false;
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly options: WorkerPoolOptions,
  ) {
    // Every running attempt listens for shutdown: as many listeners as the pool runs attempts.
    setMaxListeners(0, this.shutdown.signal);
  }

  async start(): Promise<void> {
    await interruptDeadLocalWorkers(this.ctx);
    await interruptExpiredLeases(this.ctx);
    const every = this.options.reapEveryMs ?? Math.max(1_000, Math.floor(this.ctx.leaseMs / 3));
    this.reaper = setInterval(() => {
      interruptExpiredLeases(this.ctx).catch((error: unknown) =>
        this.ctx.logger.error({ err: error }, "looking for interrupted attempts failed"),
      );
    }, every);
    this.reaper.unref();
    const { queue } = this.options;
    if (!queue) {
      if (this.options.concurrency > 0) this.pump();
      return;
    }
    // Attempts queued while no process could send their job (a crash between the two) get one now.
    await queue.enqueue((await this.ctx.repos.attempts.listQueued()).map((attempt) => attempt.id));
    // An API-only process (no workers) still sends jobs and ends attempts whose worker died.
    if (this.options.concurrency === 0) return;
    await queue.work(this.options.concurrency, async (attemptId) => {
      if (this.shutdown.signal.aborted) return;
      const attempt = await this.ctx.repos.attempts.claim(this.ctx.workerId, { leaseMs: this.ctx.leaseMs, attemptId });
      if (attempt) await this.launch(attempt);
    });
  }

  async enqueue(attemptIds: readonly string[]): Promise<void> {
    if (this.options.queue) await this.options.queue.enqueue(attemptIds);
    else this.pump();
  }

  cancelTask(taskId: string): void {
    for (const [attemptId, run] of this.running) {
      if (run.taskId === taskId) this.cancels.get(attemptId)?.abort();
    }
  }

  /** Attempts running in this process now. */
  get active(): number {
    return this.running.size;
  }

  /** Stops taking work and interrupts what runs; their attempts end as cancelled or interrupted. */
  async stop(): Promise<void> {
    clearInterval(this.reaper);
    this.shutdown.abort();
    await this.options.queue?.stop();
    await Promise.allSettled([...this.running.values()].map((run) => run.done));
  }

  /** Claims queued attempts while slots are free; re-runs if woken meanwhile. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          while (this.running.size < this.options.concurrency && !this.shutdown.signal.aborted) {
            const attempt = await this.ctx.repos.attempts.claim(this.ctx.workerId, { leaseMs: this.ctx.leaseMs });
            if (!attempt) break;
            void this.launch(attempt);
          }
        } while (this.pumpAgain && !this.shutdown.signal.aborted);
      } catch (error) {
        this.ctx.logger.error({ err: error }, "claiming attempts failed");
      } finally {
        this.pumping = false;
      }
    })();
  }

  private launch(attempt: Attempt): Promise<void> {
    const cancel = new AbortController();
    this.cancels.set(attempt.id, cancel);
    this.ctx.metrics?.attemptsRunning.inc();
    const done = runAttempt(this.ctx, attempt, { cancel: cancel.signal, shutdown: this.shutdown.signal })
      .catch((error: unknown) => this.ctx.logger.error({ err: error, attemptId: attempt.id }, "attempt crashed"))
      .finally(() => {
        this.running.delete(attempt.id);
        this.cancels.delete(attempt.id);
        this.ctx.metrics?.attemptsRunning.dec();
        if (!this.options.queue) this.pump();
      });
    this.running.set(attempt.id, { taskId: attempt.taskId, done });
    return done;
  }
}

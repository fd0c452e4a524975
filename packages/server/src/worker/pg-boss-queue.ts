/**
 * The queue between processes: pg-boss on PostgreSQL. A job names an attempt; whichever worker
 * fetches it claims the attempt with a lease (storage decides who wins), runs it, and completes
 * the job. Death is detected by the attempt's lease, not by pg-boss: a job only carries the id.
 */
import PgBoss from "pg-boss";
import type { Logger } from "pino";

export const ATTEMPTS_QUEUE = "quire-attempts";

export interface AttemptJob {
  attemptId: string;
}

export interface PgBossQueueOptions {
  url: string;
  /** Where pg-boss keeps its tables (one per install or test). */
  schema?: string;
  logger: Logger;
  /** How often an idle worker asks for a job. */
  pollingIntervalSeconds?: number;
}

export class PgBossQueue {
  private readonly boss: PgBoss;
  private started: Promise<void> | undefined;

  constructor(private readonly options: PgBossQueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.url,
      schema: options.schema ?? "pgboss",
      max: 4,
      // Jobs live as long as the longest task may; a dead worker's attempt is ended by its lease.
      expireInHours: 23,
      retryLimit: 0,
    });
    this.boss.on("error", (error) => options.logger.error({ err: error }, "queue error"));
  }

  async start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      // "short": at most one waiting job per attempt, so sending again after a restart is harmless.
      await this.boss.createQueue(ATTEMPTS_QUEUE, { name: ATTEMPTS_QUEUE, policy: "short" });
    })();
    return this.started;
  }

  async enqueue(attemptIds: readonly string[]): Promise<void> {
    await this.start();
    for (const attemptId of attemptIds) {
      await this.boss.send(ATTEMPTS_QUEUE, { attemptId } satisfies AttemptJob, { singletonKey: attemptId });
    }
  }

  /** Runs up to `concurrency` jobs at once: one pg-boss worker per slot, each fetching one job. */
  async work(concurrency: number, handle: (attemptId: string) => Promise<void>): Promise<void> {
    await this.start();
    for (let slot = 0; slot < concurrency; slot++) {
      await this.boss.work<AttemptJob>(
        ATTEMPTS_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) await handle(job.data.attemptId);
        },
      );
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: 5_000 });
  }
}

/**
 * The queue between processes: pg-boss on PostgreSQL. A job names an attempt; whichever worker
 * fetches it claims the attempt with a lease (storage decides who wins), runs it, and completes
 * the job. Death is detected by the attempt's lease, not by pg-boss: a job only carries the id.
 *
 * pg-boss workers poll; an enqueue also sends a NOTIFY that wakes this install's idle workers in
 * every process at once, so a new task does not wait for the next poll (the poll stays as the
 * safety net for a notice missed while a listener reconnects).
 */
import PgBoss from "pg-boss";
import pg from "pg";
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
  private readonly workerIds: string[] = [];
  private listener: pg.Client | undefined;
  private listenerRetry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Per install (pg-boss schema): installs sharing a database do not wake each other. */
  private readonly channel: string;

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
    // pg-boss has checked the schema name: letters, digits and underscores only.
    this.channel = `${options.schema ?? "pgboss"}_enqueued`;
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
    if (attemptIds.length > 0) await this.boss.getDb().executeSql("select pg_notify($1, '')", [this.channel]);
  }

  /** Runs up to `concurrency` jobs at once: one pg-boss worker per slot, each fetching one job. */
  async work(concurrency: number, handle: (attemptId: string) => Promise<void>): Promise<void> {
    await this.start();
    for (let slot = 0; slot < concurrency; slot++) {
      const id = await this.boss.work<AttemptJob>(
        ATTEMPTS_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) await handle(job.data.attemptId);
        },
      );
      this.workerIds.push(id);
    }
    if (concurrency > 0) await this.listen();
  }

  /** LISTEN for enqueues; a lost connection is re-opened (meanwhile the workers still poll). */
  private async listen(): Promise<void> {
    if (this.listener || this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.url });
    client.on("notification", () => {
      for (const id of this.workerIds) this.boss.notifyWorker(id);
    });
    client.on("error", (error) => {
      this.options.logger.warn({ err: error }, "queue listener connection lost; reconnecting");
      void client.end().catch(() => undefined);
      this.listener = undefined;
      if (!this.stopped) this.listenerRetry = setTimeout(() => void this.listen().catch(() => undefined), 1_000);
    });
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.listener = client;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.listenerRetry);
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: 5_000 });
  }
}

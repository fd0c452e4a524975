/**
 * Stores an attempt's events as the agent emits them. The core calls back synchronously; events
 * are gathered and appended in order, each batch in one transaction, one batch at a time, so
 * storage order is emission order and a burst of output becomes one write, not hundreds.
 */
import type { QuireEvent } from "@quire/core";
import type { Logger } from "pino";
import { appendAndPublish, type EventHub } from "../events/event-hub.js";
import type { Repos } from "../storage/index.js";

export class EventWriter {
  private pending: QuireEvent[] = [];
  /** When the first pending event was emitted: stored as the batch's created_at, so latency is measured from emission. */
  private pendingSince = new Date();
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: Error | undefined;

  constructor(
    private readonly repos: Repos,
    private readonly hub: EventHub,
    private readonly taskId: string,
    private readonly attemptId: string | null,
    private readonly logger: Logger,
  ) {}

  push(event: QuireEvent): void {
    if (this.pending.length === 0) this.pendingSince = new Date();
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    // One macrotask later: events emitted in the same tick share a transaction.
    setImmediate(() => this.flushPending());
  }

  /** Resolves once every pushed event is stored; rejects if a write failed. */
  async flush(): Promise<void> {
    this.flushPending();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private flushPending(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const emittedAt = this.pendingSince;
    this.pending = [];
    this.chain = this.chain.then(async () => {
      try {
        await appendAndPublish(this.repos, this.hub, this.taskId, this.attemptId, batch, emittedAt);
      } catch (error) {
        this.failure ??= error as Error;
        this.logger.error({ err: error, taskId: this.taskId, attemptId: this.attemptId }, "storing events failed");
      }
    });
  }
}

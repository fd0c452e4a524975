/**
 * Sends a workspace's webhooks when a task finishes, fails or is delivered. Each notice a webhook
 * is owed is stored first (`webhook_deliveries`: its body, the tries made, when the next is due),
 * then tried: signed, tried again with backoff while it fails (a 5xx, a 429, no answer), and its
 * last outcome recorded on the webhook. Sending runs beside the task (nothing waits for a slow
 * receiver). A try is taken by claiming its row, so any process on the same database (`quire
 * serve`, `quire worker`) may make the next one and no two make the same; a process that stops
 * mid-backoff leaves the rest to whichever looks next (each looks at start and every few seconds).
 *
 * Logs name the webhook's id and the URL's origin only: never the URL's path (a Slack URL is a
 * credential), the secret or the signature.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { KEEP_FINISHED_DELIVERIES_MS, type Repos, type WebhookEvent } from "../storage/index.js";
import { noticeBody, type TaskNotice } from "./notice.js";
import { postWebhook, webhookDestinationRule, webhookHeaders } from "./sender.js";

export interface NotifierOptions {
  repos: Pick<Repos, "webhooks" | "webhookDeliveries">;
  logger: Logger;
  /** Quire's home: config.toml's `[outbound]` decides which private addresses may be reached. */
  home: string;
  /** The server's address as people reach it (`QUIRE_PUBLIC_URL`, else where it listens), for links. */
  publicUrl: () => string;
  /** Waits before each retry; default 1, 4, 16 and 60 s (five tries in all). */
  retryDelaysMs?: readonly number[];
  /** How often this process looks for due tries nobody holds (left by a stopped process); default 5 s. */
  pollMs?: number;
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 4_000, 16_000, 60_000] as const;
const DEFAULT_POLL_MS = 5_000;
/** How long a claimed try is this process's alone: well beyond one post (10 s without an answer). */
const CLAIM_MS = 2 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

/** Whether an answer is worth another try: no answer, a rate limit, or the receiver's own fault. */
const retryable = (statusCode: number | null): boolean =>
  statusCode === null || statusCode === 429 || statusCode >= 500;

export class Notifier {
  /** Tries being made by this process (a post and its record). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Tries this process waits to make, by delivery id. */
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly trying = new Set<string>();
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private lastPrune = 0;

  constructor(private readonly options: NotifierOptions) {}

  /**
   * Stores `event` for the workspace's webhooks that take it and starts their first tries; resolves
   * once stored (a restart after that still sends them). Never rejects: a failure is logged.
   */
  async notify(event: WebhookEvent, facts: Omit<TaskNotice, "url">): Promise<void> {
    const base = this.options.publicUrl().replace(/\/+$/, "");
    const notice: TaskNotice = { ...facts, url: `${base}/tasks/${encodeURIComponent(facts.taskId)}` };
    try {
      const webhooks = (await this.options.repos.webhooks.list(notice.workspaceId)).filter((webhook) =>
        webhook.events.includes(event),
      );
      const rows = webhooks.map((webhook) => {
        const id = randomUUID();
        return {
          id,
          webhookId: webhook.id,
          event,
          taskId: notice.taskId,
          body: noticeBody(event, notice, webhook.format, id),
        };
      });
      await this.options.repos.webhookDeliveries.add(rows);
      for (const row of rows) this.tryNow(row.id);
    } catch (error) {
      this.options.logger.warn({ err: error, taskId: notice.taskId, event }, "webhooks could not be sent");
    }
  }

  /** Looks for due tries now and every `pollMs`: those another process left, or this one before a restart. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.poll();
  }

  /** For tests: waits until this process has no try in flight or waiting. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.waiting.size > 0) {
      if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops looking and waiting; tries in flight end (and are recorded). What is left stays due in the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.poller);
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    await this.polling;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private poll(): void {
    const pollMs = this.options.pollMs ?? DEFAULT_POLL_MS;
    this.polling = this.pollOnce(pollMs)
      .catch((error: unknown) => {
        if (!this.stopped) this.options.logger.warn({ err: error }, "looking for webhook deliveries failed");
      })
      .finally(() => {
        if (!this.stopped) this.poller = setTimeout(() => this.poll(), pollMs);
      });
  }

  private async pollOnce(pollMs: number): Promise<void> {
    const now = new Date();
    const deliveries = this.options.repos.webhookDeliveries;
    if (now.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now.getTime();
      await deliveries.prune(new Date(now.getTime() - KEEP_FINISHED_DELIVERIES_MS));
    }
    // Those due before the next look get a timer here, so a retry is made on time.
    for (const due of await deliveries.due(now, new Date(now.getTime() + pollMs), 100)) {
      this.tryAt(due.id, Date.parse(due.nextAttemptAt));
    }
  }

  private tryAt(id: string, at: number): void {
    if (this.stopped || this.waiting.has(id) || this.trying.has(id)) return;
    const timer = setTimeout(
      () => {
        this.waiting.delete(id);
        this.tryNow(id);
      },
      Math.max(0, at - Date.now()),
    );
    this.waiting.set(id, timer);
  }

  private tryNow(id: string): void {
    if (this.stopped || this.trying.has(id)) return;
    this.trying.add(id);
    const run: Promise<void> = this.tryOnce(id)
      .catch((error: unknown) => this.options.logger.warn({ err: error, deliveryId: id }, "a webhook try failed"))
      .finally(() => {
        this.trying.delete(id);
        this.inFlight.delete(run);
      });
    this.inFlight.add(run);
  }

  /** One try, if this process wins its claim: the post, then the next try scheduled or the outcome recorded. */
  private async tryOnce(id: string): Promise<void> {
    const { repos, logger } = this.options;
    const claimant = randomUUID();
    const claimedAt = new Date();
    if (!(await repos.webhookDeliveries.claim(id, claimant, new Date(claimedAt.getTime() + CLAIM_MS), claimedAt))) {
      return;
    }
    const delivery = await repos.webhookDeliveries.get(id);
    // A webhook removed meanwhile took its deliveries with it.
    const target = delivery && (await repos.webhooks.target(delivery.webhookId));
    if (!delivery || !target) return;
    const headers = webhookHeaders(target.secret, delivery.body, delivery.event, delivery.id);
    const outcome = await postWebhook(
      target.url,
      delivery.body,
      headers,
      await webhookDestinationRule(this.options.home),
    );
    const attempts = delivery.attempts + 1;
    const log = logger.child({
      webhookId: target.id,
      destination: target.urlHint,
      event: delivery.event,
      taskId: delivery.taskId,
      deliveryId: delivery.id,
    });
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const again = !outcome.ok && !outcome.refused && retryable(outcome.statusCode) && attempts <= delays.length;
    const { statusCode, error } = outcome;
    if (again) {
      const nextAttemptAt = new Date(Date.now() + (delays[attempts - 1] ?? 0));
      const kept = await repos.webhookDeliveries.retryLater(id, claimant, {
        attempts,
        nextAttemptAt,
        statusCode,
        error,
      });
      if (!kept) return;
      log.info({ attempts, statusCode, error }, "webhook failed; trying again");
      this.tryAt(id, nextAttemptAt.getTime());
      return;
    }
    const status = outcome.ok ? "delivered" : "failed";
    if (!(await repos.webhookDeliveries.finish(id, claimant, { status, attempts, statusCode, error }))) return;
    await repos.webhooks.recordDelivery(target.id, { status, statusCode, error, event: delivery.event, attempts });
    if (outcome.ok) log.info({ attempts, statusCode }, "webhook delivered");
    else log.warn({ attempts, statusCode, error }, "webhook failed");
  }
}

/**
 * Sends a workspace's webhooks when a task finishes, fails or is delivered: each one signed, tried
 * again with backoff while it fails (a 5xx, a 429, no answer), and its last outcome recorded on the
 * webhook. Sending runs beside the task (nothing waits for a slow receiver); retries are kept in
 * memory, so a process that stops drops the retries it still had.
 *
 * Logs name the webhook's id and the URL's origin only: never the URL's path (a Slack URL is a
 * credential), the secret or the signature.
 */
import { randomUUID } from "node:crypto";
import { DestinationRule, loadConfig, NO_OUTBOUND_ALLOWANCE } from "@quire/core";
import type { Logger } from "pino";
import type { Repos, WebhookEvent, WebhookTarget } from "../storage/index.js";
import { noticeBody, type TaskNotice } from "./notice.js";
import { postWebhook, SIGNATURE_HEADER, signBody } from "./sender.js";

export interface NotifierOptions {
  repos: Pick<Repos, "webhooks">;
  logger: Logger;
  /** Quire's home: config.toml's `[outbound]` decides which private addresses may be reached. */
  home: string;
  /** The server's address as people reach it (`QUIRE_PUBLIC_URL`, else where it listens), for links. */
  publicUrl: () => string;
  /** Waits before each retry; default 1, 4, 16 and 60 s (five tries in all). */
  retryDelaysMs?: readonly number[];
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 4_000, 16_000, 60_000] as const;

/** Whether an answer is worth another try: no answer, a rate limit, or the receiver's own fault. */
const retryable = (statusCode: number | null): boolean =>
  statusCode === null || statusCode === 429 || statusCode >= 500;

export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: NotifierOptions) {}

  /** Sends `event` to the workspace's webhooks that take it; returns at once. */
  notify(event: WebhookEvent, facts: Omit<TaskNotice, "url">): void {
    if (this.stopped) return;
    const base = this.options.publicUrl().replace(/\/+$/, "");
    const notice: TaskNotice = { ...facts, url: `${base}/tasks/${encodeURIComponent(facts.taskId)}` };
    const run = this.sendAll(event, notice).catch((error: unknown) => {
      this.options.logger.warn({ err: error, taskId: notice.taskId, event }, "webhooks could not be sent");
    });
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** For tests and shutdown: waits for every send in flight (retries included). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops retrying: what is in flight ends at its next wait. */
  stop(): void {
    this.stopped = true;
  }

  private async sendAll(event: WebhookEvent, notice: TaskNotice): Promise<void> {
    const targets = await this.options.repos.webhooks.targets(notice.workspaceId, event);
    if (targets.length === 0) return;
    const config = await loadConfig(this.options.home).catch(() => null);
    const rule = new DestinationRule(config?.outbound ?? NO_OUTBOUND_ALLOWANCE);
    await Promise.all(targets.map((target) => this.send(target, event, notice, rule)));
  }

  private async send(
    target: WebhookTarget,
    event: WebhookEvent,
    notice: TaskNotice,
    rule: DestinationRule,
  ): Promise<void> {
    const deliveryId = randomUUID();
    const body = noticeBody(event, notice, target.format, deliveryId);
    const headers = {
      [SIGNATURE_HEADER]: signBody(target.secret, body),
      "x-quire-event": event,
      "x-quire-delivery": deliveryId,
      "user-agent": "Quire-Webhook",
    };
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const log = this.options.logger.child({
      webhookId: target.id,
      destination: target.urlHint,
      event,
      taskId: notice.taskId,
    });
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const outcome = await postWebhook(target.url, body, headers, rule);
      const again =
        !outcome.ok && !outcome.refused && retryable(outcome.statusCode) && attempts <= delays.length && !this.stopped;
      if (outcome.ok || !again) {
        await this.options.repos.webhooks.recordDelivery(target.id, {
          status: outcome.ok ? "delivered" : "failed",
          statusCode: outcome.statusCode,
          error: outcome.error,
          event,
          attempts,
        });
        if (outcome.ok) log.info({ attempts, statusCode: outcome.statusCode }, "webhook delivered");
        else log.warn({ attempts, statusCode: outcome.statusCode, error: outcome.error }, "webhook failed");
        return;
      }
      log.info({ attempts, statusCode: outcome.statusCode, error: outcome.error }, "webhook failed; trying again");
      await new Promise((resolve) => setTimeout(resolve, delays[attempts - 1]));
    }
  }
}

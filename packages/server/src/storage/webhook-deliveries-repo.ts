/**
 * The notices webhooks are owed, kept until they are delivered or given up, so tries survive a
 * restart. A try is taken by claiming its row (a compare-and-set on its status, due time and any
 * earlier claim), so two processes never make the same try; only the claim's holder records the
 * outcome. A claim runs out on its own: a process that died mid-try leaves the row to the others.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, WebhookDeliveriesTable } from "./schema.js";
import { timestamp } from "./values.js";

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  event: string;
  taskId: string | null;
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewWebhookDelivery {
  id: string;
  webhookId: string;
  event: string;
  taskId: string | null;
  body: string;
}

/** Delivered and given-up rows are kept this long (for a look at what was sent), then removed. */
export const KEEP_FINISHED_DELIVERIES_MS = 7 * 24 * 60 * 60 * 1000;

export class WebhookDeliveriesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** New notices, due at once. */
  async add(deliveries: readonly NewWebhookDelivery[], now: Date = new Date()): Promise<void> {
    if (deliveries.length === 0) return;
    const at = timestamp(now);
    await this.db
      .insertInto("webhook_deliveries")
      .values(
        deliveries.map((delivery) => ({
          id: delivery.id,
          webhook_id: delivery.webhookId,
          event: delivery.event,
          task_id: delivery.taskId,
          body: delivery.body,
          status: "pending",
          attempts: 0,
          next_attempt_at: at,
          claimed_by: null,
          claimed_until: null,
          last_status_code: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }

  async get(id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.selectFrom("webhook_deliveries").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toDelivery(row);
  }

  /** Pending rows due by `until` and not claimed at `now`, soonest first. */
  async due(now: Date, until: Date, limit: number): Promise<{ id: string; nextAttemptAt: string }[]> {
    const at = timestamp(now);
    const rows = await this.db
      .selectFrom("webhook_deliveries")
      .select(["id", "next_attempt_at"])
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", timestamp(until))
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", at)]))
      .orderBy("next_attempt_at")
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, nextAttemptAt: row.next_attempt_at ?? at }));
  }

  /**
   * Takes the row's next try for `claimant` until `until`: true for exactly one caller while the
   * row is pending, due and nobody else's claim is running.
   */
  async claim(id: string, claimant: string, until: Date, now: Date = new Date()): Promise<boolean> {
    const at = timestamp(now);
    const result = await this.db
      .updateTable("webhook_deliveries")
      .set({ claimed_by: claimant, claimed_until: timestamp(until) })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", at)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", at)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** A failed try to be made again at `nextAttemptAt`; the claim is let go. False: the claim was lost. */
  retryLater(
    id: string,
    claimant: string,
    outcome: { attempts: number; nextAttemptAt: Date; statusCode: number | null; error: string | null },
    now: Date = new Date(),
  ): Promise<boolean> {
    return this.recordTry(id, claimant, { ...outcome, status: "pending", nextAttemptAt: outcome.nextAttemptAt }, now);
  }

  /** Delivered, or given up: no try follows. False: the claim was lost (someone else records it). */
  finish(
    id: string,
    claimant: string,
    outcome: { status: "delivered" | "failed"; attempts: number; statusCode: number | null; error: string | null },
    now: Date = new Date(),
  ): Promise<boolean> {
    return this.recordTry(id, claimant, { ...outcome, nextAttemptAt: null }, now);
  }

  /** A try's outcome, written only by the process that still holds the row's claim; the claim is let go. */
  private async recordTry(
    id: string,
    claimant: string,
    outcome: {
      status: "pending" | "delivered" | "failed";
      attempts: number;
      nextAttemptAt: Date | null;
      statusCode: number | null;
      error: string | null;
    },
    now: Date,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("webhook_deliveries")
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt ? timestamp(outcome.nextAttemptAt) : null,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        claimed_by: null,
        claimed_until: null,
        updated_at: timestamp(now),
      })
      .where("id", "=", id)
      .where("claimed_by", "=", claimant)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** A claim given back untried (the process is stopping): the row is due again at once. */
  async release(id: string, claimant: string): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set({ claimed_by: null, claimed_until: null })
      .where("id", "=", id)
      .where("claimed_by", "=", claimant)
      .execute();
  }

  /** Forgets finished rows last changed before `before`; pending ones stay whatever their age. */
  async prune(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("webhook_deliveries")
      .where("status", "!=", "pending")
      .where("updated_at", "<", timestamp(before))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** A webhook's rows, newest first (tests and diagnostics). */
  async listForWebhook(webhookId: string): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("webhook_id", "=", webhookId)
      .orderBy("created_at", "desc")
      .orderBy("id")
      .execute();
    return rows.map(toDelivery);
  }
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    taskId: row.task_id,
    body: row.body,
    status: row.status === "delivered" || row.status === "failed" ? row.status : "pending",
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

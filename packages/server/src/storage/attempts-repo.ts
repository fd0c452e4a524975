/**
 * Attempts are the queue: a worker claims a queued attempt with a lease (its id and an expiry),
 * renews the lease while it works, and writes the result only while it still holds the lease.
 * A worker that dies stops renewing; `recoverExpired` then interrupts or requeues its attempt.
 */
import type { ReviewResult, TaskUsage } from "@quire/core";
import type { Kysely, Selectable, Updateable } from "kysely";
import type { DialectName } from "./database.js";
import type { AttemptStatus, AttemptsTable, Database, VerificationStatus } from "./schema.js";
import { fromJsonOrNull, timestamp, toJson } from "./values.js";

export interface DiffStats {
  files: number;
  insertions: number;
  deletions: number;
}

export interface Attempt {
  id: string;
  taskId: string;
  /** 1 to 4. */
  number: number;
  status: AttemptStatus;
  workerId: string | null;
  leaseExpiresAt: string | null;
  /** The diff, or its head with a marker when it is past the inline cap (then `diffBlob` holds it whole). */
  diff: string | null;
  /** The blob store's reference of the whole diff, when it was too large to keep in the row. */
  diffBlob: string | null;
  /** The whole diff's size in bytes, when it is in the blob store. */
  diffBytes: number | null;
  diffStats: DiffStats | null;
  finalMessage: string | null;
  reason: string | null;
  verification: VerificationStatus | null;
  verificationLog: string | null;
  usage: TaskUsage | null;
  /** Review mode: the findings the latest round ended with (null: none yet, or it failed). */
  review: ReviewResult | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface AttemptResult {
  status: "completed" | "failed" | "cancelled" | "interrupted";
  diff?: string;
  diffBlob?: string | null;
  diffBytes?: number | null;
  diffStats?: DiffStats;
  finalMessage?: string | null;
  reason?: string | null;
  verification?: VerificationStatus | null;
  verificationLog?: string | null;
  usage?: TaskUsage;
  review?: ReviewResult | null;
}

export interface LeaseOptions {
  leaseMs: number;
  now?: Date;
}

const HELD: AttemptStatus[] = ["preparing", "running"];
/** A claim can lose a race on PostgreSQL (the row it picked was just taken): it then looks again. */
const CLAIM_TRIES = 5;

export class AttemptsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async get(id: string): Promise<Attempt | undefined> {
    const row = await this.db.selectFrom("attempts").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toAttempt(row);
  }

  /**
   * After each round: its diff and the conversation so far, so that any later follow-up can go
   * on from them when the workspace (or the worker's whole home) is gone.
   */
  async saveRound(
    id: string,
    round: { diff: string; diffBlob: string | null; diffBytes: number | null; conversation?: string },
  ): Promise<void> {
    await this.db
      .updateTable("attempts")
      .set({
        diff: round.diff,
        diff_blob: round.diffBlob,
        diff_bytes: round.diffBytes,
        ...(round.conversation !== undefined ? { conversation: round.conversation } : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  /** Whether a round of the attempt was stored (its conversation): a worker then continues it. */
  async hasStoredRound(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("attempts")
      .select("id")
      .where("id", "=", id)
      .where("conversation", "is not", null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The conversation stored by the latest round (JSON text), if any. */
  async conversation(id: string): Promise<string | null> {
    const row = await this.db.selectFrom("attempts").select("conversation").where("id", "=", id).executeTakeFirst();
    return row?.conversation ?? null;
  }

  async listForTask(taskId: string): Promise<Attempt[]> {
    const rows = await this.db
      .selectFrom("attempts")
      .selectAll()
      .where("task_id", "=", taskId)
      .orderBy("number")
      .execute();
    return rows.map(toAttempt);
  }

  async listForTasks(taskIds: readonly string[]): Promise<Attempt[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("attempts")
      .selectAll()
      .where("task_id", "in", [...taskIds])
      .orderBy("number")
      .execute();
    return rows.map(toAttempt);
  }

  /**
   * Claims the oldest queued attempt (or the given one) for `workerId`, moving it to "preparing".
   * One UPDATE whose WHERE still requires "queued", so of any number of concurrent claimers
   * exactly one gets a given attempt; on PostgreSQL, SKIP LOCKED lets the others move on to the
   * next attempt instead of queueing behind the winner's row lock.
   */
  async claim(workerId: string, options: LeaseOptions & { attemptId?: string }): Promise<Attempt | undefined> {
    const now = options.now ?? new Date();
    for (let attempt = 0; attempt < CLAIM_TRIES; attempt++) {
      const row = await this.db
        .updateTable("attempts")
        .set({
          status: "preparing",
          worker_id: workerId,
          lease_expires_at: leaseEnd(now, options.leaseMs),
          started_at: timestamp(now),
          updated_at: timestamp(now),
        })
        .where("status", "=", "queued")
        .where((eb) =>
          eb(
            "id",
            "=",
            eb
              .selectFrom("attempts")
              .select("id")
              .where("status", "=", "queued")
              .$if(options.attemptId !== undefined, (qb) => qb.where("id", "=", options.attemptId!))
              .orderBy("created_at")
              .orderBy("id")
              .limit(1)
              .$if(this.dialect === "postgres", (qb) => qb.forUpdate().skipLocked()),
          ),
        )
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) return toAttempt(row);
      if (!(await this.anyQueued(options.attemptId))) return undefined;
    }
    return undefined;
  }

  /** Extends the lease; false means the worker lost it (expired and recovered) and must stop. */
  async renewLease(id: string, workerId: string, options: LeaseOptions): Promise<boolean> {
    const now = options.now ?? new Date();
    return this.updateHeld(id, workerId, { lease_expires_at: leaseEnd(now, options.leaseMs) }, now);
  }

  /** preparing -> running, while the lease is held. */
  async markRunning(id: string, workerId: string, now: Date = new Date()): Promise<boolean> {
    return this.updateHeld(id, workerId, { status: "running" }, now);
  }

  /** Writes the attempt's outcome and releases the lease; false if the lease was lost meanwhile. */
  async finish(id: string, workerId: string, result: AttemptResult, now: Date = new Date()): Promise<boolean> {
    const changes: Updateable<AttemptsTable> = {
      status: result.status,
      lease_expires_at: null,
      finished_at: timestamp(now),
    };
    if (result.diff !== undefined) changes.diff = result.diff;
    if (result.diffBlob !== undefined) changes.diff_blob = result.diffBlob;
    if (result.diffBytes !== undefined) changes.diff_bytes = result.diffBytes;
    if (result.diffStats !== undefined) changes.diff_stats = toJson(result.diffStats);
    if (result.finalMessage !== undefined) changes.final_message = result.finalMessage;
    if (result.reason !== undefined) changes.reason = result.reason;
    if (result.verification !== undefined) changes.verification = result.verification;
    if (result.verificationLog !== undefined) changes.verification_log = result.verificationLog;
    if (result.usage !== undefined) changes.usage = toJson(result.usage);
    if (result.review !== undefined) changes.review = result.review === null ? null : toJson(result.review);
    return this.updateHeld(id, workerId, changes, now);
  }

  /** Attempts held by a worker whose lease ran out before `now`. */
  async findExpiredLeases(now: Date = new Date()): Promise<Attempt[]> {
    const rows = await this.db
      .selectFrom("attempts")
      .selectAll()
      .where("status", "in", HELD)
      .where("lease_expires_at", "<", timestamp(now))
      .orderBy("lease_expires_at")
      .execute();
    return rows.map(toAttempt);
  }

  /**
   * Takes back every attempt whose lease ran out: "interrupt" ends it as interrupted (its events so
   * far stay), "requeue" puts it back in the queue for another worker. One UPDATE, so a renewal
   * racing with it either lands first (and the attempt is no longer expired) or finds it taken.
   */
  async recoverExpired(action: "interrupt" | "requeue", now: Date = new Date()): Promise<Attempt[]> {
    const at = timestamp(now);
    const changes: Updateable<AttemptsTable> =
      action === "interrupt"
        ? {
            status: "interrupted",
            lease_expires_at: null,
            finished_at: at,
            reason: "the worker stopped renewing its lease",
          }
        : { status: "queued", worker_id: null, lease_expires_at: null, started_at: null };
    const rows = await this.db
      .updateTable("attempts")
      .set({ ...changes, updated_at: at })
      .where("status", "in", HELD)
      .where("lease_expires_at", "<", at)
      .returningAll()
      .execute();
    return rows.map(toAttempt);
  }

  /** Puts a finished attempt back in the queue, for a follow-up prompt to continue it. */
  async requeue(id: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("attempts")
      .set({ status: "queued", worker_id: null, lease_expires_at: null, finished_at: null, updated_at: timestamp(now) })
      .where("id", "=", id)
      .where("status", "in", ["completed", "failed", "interrupted", "cancelled"])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Cancels the task's attempts no worker has taken yet; returns them. */
  async cancelQueued(taskId: string, now: Date = new Date()): Promise<Attempt[]> {
    const at = timestamp(now);
    const rows = await this.db
      .updateTable("attempts")
      .set({ status: "cancelled", reason: "cancelled by the user", finished_at: at, updated_at: at })
      .where("task_id", "=", taskId)
      .where("status", "=", "queued")
      .returningAll()
      .execute();
    return rows.map(toAttempt);
  }

  /** Attempts some worker holds right now (preparing or running). */
  async listHeld(): Promise<Attempt[]> {
    const rows = await this.db.selectFrom("attempts").selectAll().where("status", "in", HELD).execute();
    return rows.map(toAttempt);
  }

  /** Attempts waiting for a worker, oldest first (to hand to a queue again after a restart). */
  async listQueued(limit = 1000): Promise<Attempt[]> {
    const rows = await this.db
      .selectFrom("attempts")
      .selectAll()
      .where("status", "=", "queued")
      .orderBy("created_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(toAttempt);
  }

  /** Ends a held attempt whose worker is known to be gone, whatever its lease says. */
  async interruptHeld(id: string, workerId: string, reason: string, now: Date = new Date()): Promise<boolean> {
    const at = timestamp(now);
    return this.updateHeld(
      id,
      workerId,
      { status: "interrupted", lease_expires_at: null, finished_at: at, reason },
      now,
    );
  }

  private async updateHeld(
    id: string,
    workerId: string,
    changes: Updateable<AttemptsTable>,
    now: Date,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("attempts")
      .set({ ...changes, updated_at: timestamp(now) })
      .where("id", "=", id)
      .where("worker_id", "=", workerId)
      .where("status", "in", HELD)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private async anyQueued(attemptId: string | undefined): Promise<boolean> {
    const row = await this.db
      .selectFrom("attempts")
      .select("id")
      .where("status", "=", "queued")
      .$if(attemptId !== undefined, (qb) => qb.where("id", "=", attemptId!))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function leaseEnd(now: Date, leaseMs: number): string {
  return timestamp(new Date(now.getTime() + leaseMs));
}

export function toAttempt(row: Selectable<AttemptsTable>): Attempt {
  return {
    id: row.id,
    taskId: row.task_id,
    number: row.number,
    status: row.status,
    workerId: row.worker_id,
    leaseExpiresAt: row.lease_expires_at,
    diff: row.diff,
    diffBlob: row.diff_blob ?? null,
    diffBytes: row.diff_bytes === null || row.diff_bytes === undefined ? null : Number(row.diff_bytes),
    diffStats: fromJsonOrNull<DiffStats>(row.diff_stats),
    finalMessage: row.final_message,
    reason: row.reason,
    verification: row.verification,
    verificationLog: row.verification_log,
    usage: fromJsonOrNull<TaskUsage>(row.usage),
    review: fromJsonOrNull<ReviewResult>(row.review ?? null),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

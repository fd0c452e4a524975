import type { TaskMode } from "@quire/core";
import type { Delivery } from "@quire/protocol";
import { sql, type Kysely, type Selectable, type Updateable } from "kysely";
import { toAttempt, type Attempt } from "./attempts-repo.js";
import { LOCAL_WORKSPACE_ID } from "./accounts-schema.js";
import type { AttemptsTable, Database, StoredTaskStatus, TasksTable } from "./schema.js";
import { fromFlag, fromJsonOrNull, newId, timestamp, toFlag, toJson } from "./values.js";

export interface Task {
  id: string;
  repositoryId: string;
  ref: string;
  baseCommit: string | null;
  mode: TaskMode;
  prompt: string;
  status: StoredTaskStatus;
  attemptsRequested: number;
  environmentId: string | null;
  model: string | null;
  archived: boolean;
  finalMessage: string | null;
  reason: string | null;
  cancelRequestedAt: string | null;
  /** The last event's seq: how far a live stream of the task can be. */
  lastEventSeq: number;
  /** Where the diff was delivered, once it was. */
  delivery: Delivery | null;
  createdAt: string;
  updatedAt: string;
  workspaceId: string | null;
  createdBy: string | null;
  /** Review mode: what the task reviews; null for other modes. */
  reviewTarget: ReviewTarget | null;
}

/**
 * What a review task reads: the change from `base` to `head` (two commits; the task's base commit
 * is where they meet), or the result of another task's attempt (applied to that task's base).
 */
export type ReviewTarget =
  { kind: "range"; base: string; head: string } | { kind: "task"; taskId: string; attemptId: string };

export interface NewTask {
  repositoryId: string;
  ref: string;
  baseCommit?: string;
  mode: TaskMode;
  prompt: string;
  /** 1 to 4 attempts, each run independently with its own diff. */
  attempts: number;
  environmentId?: string;
  model?: string;
  /** The local workspace when not given. */
  workspaceId?: string;
  createdBy?: string;
  reviewTarget?: ReviewTarget;
}

export interface TaskFilter {
  workspaceId?: string;
  status?: StoredTaskStatus | StoredTaskStatus[];
  repositoryId?: string;
  archived?: boolean;
  mode?: TaskMode;
  /** Words the prompt contains, as typed (case-insensitive; `%` and `_` are plain characters). */
  text?: string;
  /** false: only tasks whose diff was not delivered yet (the web app's "To review"). */
  delivered?: boolean;
  limit?: number;
  /** For paging: only tasks listed after this one (newest first). */
  before?: { createdAt: string; id: string };
}

/** Statuses a task leaves on its own; the rest are final. */
export const ACTIVE_STATUSES: StoredTaskStatus[] = ["queued", "preparing", "running"];

export interface TaskUpdate {
  finalMessage?: string | null;
  reason?: string | null;
  baseCommit?: string | null;
}

export class TasksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The task and its queued attempts, in one transaction: a failure leaves neither. */
  async create(input: NewTask, now: Date = new Date()): Promise<{ task: Task; attempts: Attempt[] }> {
    if (!Number.isInteger(input.attempts) || input.attempts < 1 || input.attempts > 4) {
      throw new Error(`a task has 1 to 4 attempts, not ${input.attempts}`);
    }
    const at = timestamp(now);
    const taskRow: Selectable<TasksTable> = {
      id: newId(now),
      repository_id: input.repositoryId,
      ref: input.ref,
      base_commit: input.baseCommit ?? null,
      mode: input.mode,
      prompt: input.prompt,
      status: "queued",
      attempts_requested: input.attempts,
      environment_id: input.environmentId ?? null,
      model: input.model ?? null,
      archived: 0,
      final_message: null,
      reason: null,
      cancel_requested_at: null,
      last_event_seq: 0,
      delivery: null,
      created_at: at,
      updated_at: at,
      workspace_id: input.workspaceId ?? LOCAL_WORKSPACE_ID,
      created_by: input.createdBy ?? null,
      review_target: input.reviewTarget ? toJson(input.reviewTarget) : null,
    };
    const attemptRows = Array.from({ length: input.attempts }, (_, index): Selectable<AttemptsTable> => ({
      id: newId(now),
      task_id: taskRow.id,
      number: index + 1,
      status: "queued",
      worker_id: null,
      lease_expires_at: null,
      diff: null,
      conversation: null,
      review: null,
      diff_blob: null,
      diff_bytes: null,
      diff_stats: null,
      final_message: null,
      reason: null,
      verification: null,
      verification_log: null,
      usage: null,
      created_at: at,
      updated_at: at,
      started_at: null,
      finished_at: null,
    }));
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("tasks").values(taskRow).execute();
      await trx.insertInto("attempts").values(attemptRows).execute();
    });
    return { task: toTask(taskRow), attempts: attemptRows.map(toAttempt) };
  }

  async get(id: string): Promise<Task | undefined> {
    const row = await this.db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toTask(row);
  }

  /** Newest first. */
  async list(filter: TaskFilter = {}): Promise<Task[]> {
    const statuses = filter.status === undefined ? undefined : [filter.status].flat();
    const { before } = filter;
    const rows = await this.db
      .selectFrom("tasks")
      .selectAll()
      .$if(statuses !== undefined, (qb) => qb.where("status", "in", statuses!))
      .$if(filter.repositoryId !== undefined, (qb) => qb.where("repository_id", "=", filter.repositoryId!))
      .$if(filter.workspaceId !== undefined, (qb) => qb.where("workspace_id", "=", filter.workspaceId!))
      .$if(filter.archived !== undefined, (qb) => qb.where("archived", "=", toFlag(filter.archived!)))
      .$if(filter.mode !== undefined, (qb) => qb.where("mode", "=", filter.mode!))
      .$if(filter.delivered !== undefined, (qb) => qb.where("delivery", filter.delivered ? "is not" : "is", null))
      // lower() on both sides: LIKE is case-insensitive in SQLite (ASCII) but not in PostgreSQL.
      .$if(filter.text !== undefined, (qb) =>
        qb.where(sql<boolean>`lower(prompt) like ${likePattern(filter.text!)} escape '\\'`),
      )
      .$if(before !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb("created_at", "<", before!.createdAt),
            eb.and([eb("created_at", "=", before!.createdAt), eb("id", "<", before!.id)]),
          ]),
        ),
      )
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toTask);
  }

  /**
   * Moves the task to `status`, but only from one of `from` when given (a compare-and-set, so a
   * late "completed" cannot overwrite a "cancelled"). Returns whether the task changed.
   */
  async updateStatus(
    id: string,
    status: StoredTaskStatus,
    options: TaskUpdate & { from?: StoredTaskStatus[] } = {},
    now: Date = new Date(),
  ): Promise<boolean> {
    const changes: Updateable<TasksTable> = { status, updated_at: timestamp(now) };
    if (options.finalMessage !== undefined) changes.final_message = options.finalMessage;
    if (options.reason !== undefined) changes.reason = options.reason;
    if (options.baseCommit !== undefined) changes.base_commit = options.baseCommit;
    const result = await this.db
      .updateTable("tasks")
      .set(changes)
      .where("id", "=", id)
      .$if(options.from !== undefined, (qb) => qb.where("status", "in", options.from!))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setArchived(id: string, archived: boolean, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("tasks")
      .set({ archived: toFlag(archived), updated_at: timestamp(now) })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Sets base_commit once: the first attempt to resolve the ref wins, so all attempts share it. */
  async fixBaseCommit(id: string, commit: string): Promise<string> {
    await this.db
      .updateTable("tasks")
      .set({ base_commit: commit })
      .where("id", "=", id)
      .where("base_commit", "is", null)
      .execute();
    const row = await this.db.selectFrom("tasks").select("base_commit").where("id", "=", id).executeTakeFirstOrThrow();
    return row.base_commit ?? commit;
  }

  async setDelivery(id: string, delivery: Delivery, now: Date = new Date()): Promise<void> {
    await this.db
      .updateTable("tasks")
      .set({ delivery: toJson(delivery), updated_at: timestamp(now) })
      .where("id", "=", id)
      .execute();
  }

  /** A follow-up reopens a finished task: back to queued, any earlier cancel request forgotten. */
  async reopen(id: string, now: Date = new Date()): Promise<void> {
    await this.db
      .updateTable("tasks")
      .set({ status: "queued", cancel_requested_at: null, reason: null, updated_at: timestamp(now) })
      .where("id", "=", id)
      .execute();
  }

  /** Records a cancel request on an active task; the worker running it sees it and stops. */
  async requestCancel(id: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("tasks")
      .set({ cancel_requested_at: timestamp(now), updated_at: timestamp(now) })
      .where("id", "=", id)
      .where("status", "in", ACTIVE_STATUSES)
      .where("cancel_requested_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

export function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    ref: row.ref,
    baseCommit: row.base_commit,
    mode: row.mode,
    prompt: row.prompt,
    status: row.status,
    attemptsRequested: row.attempts_requested,
    environmentId: row.environment_id,
    model: row.model,
    archived: fromFlag(row.archived),
    finalMessage: row.final_message,
    reason: row.reason,
    cancelRequestedAt: row.cancel_requested_at,
    lastEventSeq: row.last_event_seq,
    delivery: fromJsonOrNull<Delivery>(row.delivery),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    workspaceId: row.workspace_id,
    createdBy: row.created_by,
    reviewTarget: fromJsonOrNull<ReviewTarget>(row.review_target ?? null),
  };
}

/** A LIKE pattern matching `text` anywhere, its own wildcards escaped (with `\`). */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

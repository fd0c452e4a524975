/**
 * A task's event log. Every event gets the next per-task `seq` (1, 2, 3, ...), which is the SSE
 * event id: a client that reconnects with `Last-Event-ID: n` reads `eventsAfter(task, n)`.
 */
import type { QuireEvent } from "@quire/core";
import { sql, type Kysely } from "kysely";
import type { DialectName } from "./database.js";
import type { Database } from "./schema.js";
import { fromJson, timestamp, toJson } from "./values.js";

export interface StoredEvent {
  taskId: string;
  attemptId: string | null;
  seq: number;
  event: QuireEvent;
  createdAt: string;
}

/** Rows per INSERT: well under SQLite's limit on bound parameters. */
const INSERT_CHUNK = 100;

/**
 * PostgreSQL channel told "<task id> <last seq>" after each append (delivered at commit), for
 * servers whose workers run elsewhere: a stream that has sent that seq need not read.
 */
export const EVENTS_CHANNEL = "quire_events";

export class EventsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName = "sqlite",
  ) {}

  /**
   * Appends events in order and returns their seqs. The task row's counter is bumped first, in
   * the same transaction: its row lock (PostgreSQL) or the write lock (SQLite) makes concurrent
   * appends to one task wait for each other, so seqs have no gap and no duplicate, and they
   * commit in seq order — a reader that has seen seq n never later finds a new event below n.
   */
  async append(
    taskId: string,
    attemptId: string | null,
    events: readonly QuireEvent[],
    now: Date = new Date(),
  ): Promise<number[]> {
    if (events.length === 0) return [];
    if (this.dialect === "postgres") return this.appendInOneStatement(taskId, attemptId, events, now);
    return this.db.transaction().execute(async (trx) => {
      const counter = await trx
        .updateTable("tasks")
        .set((eb) => ({ last_event_seq: eb("last_event_seq", "+", events.length) }))
        .where("id", "=", taskId)
        .returning("last_event_seq")
        .executeTakeFirst();
      if (counter === undefined) throw new Error(`no task ${taskId}`);
      const first = counter.last_event_seq - events.length + 1;
      const createdAt = timestamp(now);
      const rows = events.map((event, index) => ({
        task_id: taskId,
        attempt_id: attemptId,
        seq: first + index,
        type: event.type,
        data: toJson(event),
        created_at: createdAt,
      }));
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        await trx
          .insertInto("events")
          .values(rows.slice(start, start + INSERT_CHUNK))
          .execute();
      }
      return rows.map((row) => row.seq);
    });
  }

  /**
   * PostgreSQL: the same append as one statement (one round trip, one short hold of a pooled
   * connection): the counter UPDATE locks the task row, the INSERT numbers the rows from it, and
   * the notice is sent at commit. Under load a five-round-trip transaction held connections long
   * enough to queue every other query behind it.
   */
  private async appendInOneStatement(
    taskId: string,
    attemptId: string | null,
    events: readonly QuireEvent[],
    now: Date,
  ): Promise<number[]> {
    const types = events.map((event) => event.type);
    const data = events.map((event) => toJson(event));
    const { rows } = await sql<{ seq: number }>`
      with counter as (
        update tasks set last_event_seq = last_event_seq + ${events.length}
        where id = ${taskId} returning last_event_seq
      ), inserted as (
        insert into events (task_id, attempt_id, seq, type, data, created_at)
        select ${taskId}, ${attemptId}, counter.last_event_seq - ${events.length} + e.ord, e.type, e.data, ${timestamp(now)}
        from counter, unnest(${types}::text[], ${data}::text[]) with ordinality as e(type, data, ord)
        returning seq
      ), notified as (select pg_notify(${EVENTS_CHANNEL}, ${taskId} || ' ' || counter.last_event_seq) from counter)
      select inserted.seq from inserted, notified order by inserted.seq`.execute(this.db);
    if (rows.length === 0) throw new Error(`no task ${taskId}`);
    return rows.map((row) => Number(row.seq));
  }

  /** Events with seq > afterSeq, oldest first, at most `limit` of them. */
  async eventsAfter(taskId: string, afterSeq: number, limit = 500): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom("events")
      .selectAll()
      .where("task_id", "=", taskId)
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      taskId: row.task_id,
      attemptId: row.attempt_id,
      seq: row.seq,
      event: fromJson<QuireEvent>(row.data),
      createdAt: row.created_at,
    }));
  }
}

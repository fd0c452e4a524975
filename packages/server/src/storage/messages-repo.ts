import type { Kysely, Selectable } from "kysely";
import type { Database, MessagesTable } from "./schema.js";
import { newId, timestamp } from "./values.js";

/** A follow-up prompt sent into a task after its first one. */
export interface Message {
  id: string;
  taskId: string;
  /** The attempt it continues; null for every attempt. */
  attemptId: string | null;
  text: string;
  createdAt: string;
  /** When a worker took it; null while it waits. */
  deliveredAt: string | null;
  /** The user who sent it, when known. */
  authorId: string | null;
}

/** A message's id before it is stored (so what belongs to it can be stored first). */
export const newMessageId = (now: Date = new Date()): string => newId(now);

export class MessagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async add(
    input: { taskId: string; attemptId?: string; text: string; authorId?: string; id?: string },
    now: Date = new Date(),
  ): Promise<Message> {
    const message: Message = {
      id: input.id ?? newId(now),
      taskId: input.taskId,
      attemptId: input.attemptId ?? null,
      text: input.text,
      createdAt: timestamp(now),
      deliveredAt: null,
      authorId: input.authorId ?? null,
    };
    await this.db
      .insertInto("messages")
      .values({
        id: message.id,
        task_id: message.taskId,
        attempt_id: message.attemptId,
        text: message.text,
        created_at: message.createdAt,
        delivered_at: null,
        author_id: message.authorId,
      })
      .execute();
    return message;
  }

  /** Oldest first. */
  async listForTask(taskId: string): Promise<Message[]> {
    const rows = await this.db
      .selectFrom("messages")
      .selectAll()
      .where("task_id", "=", taskId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toMessage);
  }

  /**
   * Takes the oldest waiting message for the attempt, marking it delivered in the same statement
   * (compare-and-set on delivered_at), so two workers never both run one follow-up.
   */
  async takeNext(attemptId: string, now: Date = new Date()): Promise<Message | undefined> {
    for (;;) {
      const next = await this.db
        .selectFrom("messages")
        .selectAll()
        .where("attempt_id", "=", attemptId)
        .where("delivered_at", "is", null)
        .orderBy("created_at")
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      if (next === undefined) return undefined;
      const taken = await this.db
        .updateTable("messages")
        .set({ delivered_at: timestamp(now) })
        .where("id", "=", next.id)
        .where("delivered_at", "is", null)
        .executeTakeFirst();
      if (taken.numUpdatedRows > 0n) return toMessage({ ...next, delivered_at: timestamp(now) });
    }
  }

  async hasWaiting(attemptId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("messages")
      .select("id")
      .where("attempt_id", "=", attemptId)
      .where("delivered_at", "is", null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id,
    taskId: row.task_id,
    attemptId: row.attempt_id,
    text: row.text,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    authorId: row.author_id ?? null,
  };
}

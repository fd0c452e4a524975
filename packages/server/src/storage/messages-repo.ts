import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { newId, timestamp } from "./values.js";

/** A follow-up prompt sent into a task after its first one. */
export interface Message {
  id: string;
  taskId: string;
  /** The attempt it continues; null for every attempt. */
  attemptId: string | null;
  text: string;
  createdAt: string;
}

export class MessagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async add(input: { taskId: string; attemptId?: string; text: string }, now: Date = new Date()): Promise<Message> {
    const message: Message = {
      id: newId(now),
      taskId: input.taskId,
      attemptId: input.attemptId ?? null,
      text: input.text,
      createdAt: timestamp(now),
    };
    await this.db
      .insertInto("messages")
      .values({
        id: message.id,
        task_id: message.taskId,
        attempt_id: message.attemptId,
        text: message.text,
        created_at: message.createdAt,
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
    return rows.map((row) => ({
      id: row.id,
      taskId: row.task_id,
      attemptId: row.attempt_id,
      text: row.text,
      createdAt: row.created_at,
    }));
  }
}

import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { timestamp } from "./values.js";

/** Where a command's whole output is: a blob of the blob store, for one command item of an attempt. */
export interface CommandOutput {
  taskId: string;
  attemptId: string;
  itemId: string;
  blob: string;
  bytes: number;
}

export class CommandOutputsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records (or replaces, when a command item is kept again) the output of one command. */
  async put(output: CommandOutput, now: Date = new Date()): Promise<void> {
    await this.db
      .insertInto("command_outputs")
      .values({
        task_id: output.taskId,
        attempt_id: output.attemptId,
        item_id: output.itemId,
        blob: output.blob,
        bytes: output.bytes,
        created_at: timestamp(now),
      })
      .onConflict((oc) => oc.columns(["attempt_id", "item_id"]).doUpdateSet({ blob: output.blob, bytes: output.bytes }))
      .execute();
  }

  /** The output of command `itemId` in the task (in `attemptId` when given, else its first attempt's). */
  async get(taskId: string, itemId: string, attemptId?: string): Promise<CommandOutput | undefined> {
    const row = await this.db
      .selectFrom("command_outputs")
      .selectAll()
      .where("task_id", "=", taskId)
      .where("item_id", "=", itemId)
      .$if(attemptId !== undefined, (qb) => qb.where("attempt_id", "=", attemptId!))
      .orderBy("created_at")
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      taskId: row.task_id,
      attemptId: row.attempt_id,
      itemId: row.item_id,
      blob: row.blob,
      bytes: Number(row.bytes),
    };
  }
}

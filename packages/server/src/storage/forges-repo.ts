/** Webhook deliveries seen (so a replay does nothing) and the comments whose task Quire still has to answer. */
import type { Kysely, Selectable } from "kysely";
import type { Database, ForgeTriggersTable } from "./schema.js";
import { newId, timestamp } from "./values.js";

/** How long a delivery id is remembered: 30 days. */
export const KEEP_DELIVERIES_MS = 30 * 24 * 60 * 60 * 1000;

export type ForgeCommand = "code" | "ask" | "follow_up" | "review";

export interface ForgeTrigger {
  id: string;
  taskId: string;
  forge: "github" | "gitlab" | "gitea";
  forgeRepo: string;
  number: number;
  onPullRequest: boolean;
  command: ForgeCommand;
  login: string;
  createdAt: string;
  answeredAt: string | null;
}

export type NewForgeTrigger = Omit<ForgeTrigger, "id" | "createdAt" | "answeredAt">;

export class ForgesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a delivery id; false when it was seen before (the insert is the check, so two racing
   * copies cannot both pass). Ids older than KEEP_DELIVERIES_MS are forgotten: forges redeliver
   * within days, and only signed deliveries get here, but the table must not grow for ever.
   */
  async firstDelivery(forge: string, deliveryId: string, now: Date = new Date()): Promise<boolean> {
    await this.db
      .deleteFrom("forge_deliveries")
      .where("received_at", "<", timestamp(new Date(now.getTime() - KEEP_DELIVERIES_MS)))
      .execute();
    const result = await this.db
      .insertInto("forge_deliveries")
      .values({ forge, delivery_id: deliveryId, received_at: timestamp(now) })
      .onConflict((oc) => oc.columns(["forge", "delivery_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async addTrigger(input: NewForgeTrigger, now: Date = new Date()): Promise<ForgeTrigger> {
    const row: Selectable<ForgeTriggersTable> = {
      id: newId(now),
      task_id: input.taskId,
      forge: input.forge,
      forge_repo: input.forgeRepo,
      number: input.number,
      on_pull_request: input.onPullRequest ? 1 : 0,
      command: input.command,
      login: input.login,
      created_at: timestamp(now),
      answered_at: null,
    };
    await this.db.insertInto("forge_triggers").values(row).execute();
    return toTrigger(row);
  }

  /** The task's triggers not answered yet, oldest first. */
  async unansweredFor(taskId: string): Promise<ForgeTrigger[]> {
    const rows = await this.db
      .selectFrom("forge_triggers")
      .selectAll()
      .where("task_id", "=", taskId)
      .where("answered_at", "is", null)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toTrigger);
  }

  /** Every trigger not answered yet (after a restart: the tasks that ended meanwhile are answered then). */
  async unanswered(): Promise<ForgeTrigger[]> {
    const rows = await this.db
      .selectFrom("forge_triggers")
      .selectAll()
      .where("answered_at", "is", null)
      .orderBy("created_at")
      .execute();
    return rows.map(toTrigger);
  }

  /** The first trigger of a task (the issue or pull request it came from), if it came from a forge. */
  async firstFor(taskId: string): Promise<ForgeTrigger | undefined> {
    const row = await this.db
      .selectFrom("forge_triggers")
      .selectAll()
      .where("task_id", "=", taskId)
      .orderBy("created_at")
      .orderBy("id")
      .executeTakeFirst();
    return row && toTrigger(row);
  }

  /** Claims the answer: true for exactly one caller. */
  async markAnswered(id: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("forge_triggers")
      .set({ answered_at: timestamp(now) })
      .where("id", "=", id)
      .where("answered_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toTrigger(row: Selectable<ForgeTriggersTable>): ForgeTrigger {
  return {
    id: row.id,
    taskId: row.task_id,
    forge: row.forge as ForgeTrigger["forge"],
    forgeRepo: row.forge_repo,
    number: Number(row.number),
    onPullRequest: Number(row.on_pull_request) === 1,
    command: row.command as ForgeCommand,
    login: row.login,
    createdAt: row.created_at,
    answeredAt: row.answered_at,
  };
}

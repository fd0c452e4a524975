/**
 * The admissions ledger and the per-workspace lock that makes admitting atomic. An admission
 * reads the ledger (rolling windows, concurrency) and then appends to it; two of them interleaved
 * would both see room for one more. So each runs inside `locked`, a transaction that first
 * writes the workspace's counter row:
 * - SQLite: that write takes the database's write lock at once (a transaction that read first
 *   could not upgrade to writing if another process wrote in between), and within one process
 *   Kysely's driver runs one transaction at a time on its single connection anyway;
 * - PostgreSQL: the row is created on demand (INSERT … ON CONFLICT DO NOTHING, which waits for a
 *   concurrent insert of the same key to commit), then locked with SELECT … FOR UPDATE, so other
 *   admissions to the same workspace wait while different workspaces proceed in parallel. Under
 *   READ COMMITTED each later statement sees what the previous holder committed.
 */
import { sql, type Kysely } from "kysely";
import type { DialectName } from "./database.js";
import type { Database } from "./schema.js";
import { ACTIVE_STATUSES } from "./tasks-repo.js";
import type { AdmissionKind } from "./usage-schema.js";
import { newId, timestamp } from "./values.js";

export interface NewAdmission {
  workspaceId: string;
  userId: string;
  kind: AdmissionKind;
  plan: string;
  units: number;
  model: string | null;
  taskId: string | null;
}

export interface Admission extends NewAdmission {
  id: string;
  createdAt: string;
  releasedAt: string | null;
}

/** Something counted at a time: an admission's units, or an attempt's sandbox seconds. */
export interface LedgerEntry {
  at: string;
  amount: number;
}

/** The ledger's queries, over the database or a locked transaction. */
export class LedgerQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** Units admitted after `since` (exclusive: an entry exactly one window old has left it). */
  async unitsSince(workspaceId: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom("usage_admissions")
      .select((eb) => eb.fn.sum<number | string | null>("units").as("total"))
      .where("workspace_id", "=", workspaceId)
      .where("created_at", ">", since)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** The admissions after `since`, oldest first: to find when a full window frees up. */
  async admissionsSince(workspaceId: string, since: string): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom("usage_admissions")
      .select(["created_at", "units"])
      .where("workspace_id", "=", workspaceId)
      .where("created_at", ">", since)
      .orderBy("created_at")
      .execute();
    return rows.map((row) => ({ at: row.created_at, amount: Number(row.units) }));
  }

  /** Sandbox wall seconds of attempts metered after `since` (read here, so admitting sees them). */
  async sandboxSecondsSince(workspaceId: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom("usage_records")
      .select((eb) => eb.fn.sum<number | string | null>("wall_seconds").as("total"))
      .where("workspace_id", "=", workspaceId)
      .where("created_at", ">", since)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  async sandboxEntriesSince(workspaceId: string, since: string): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom("usage_records")
      .select(["created_at", "wall_seconds"])
      .where("workspace_id", "=", workspaceId)
      .where("created_at", ">", since)
      .orderBy("created_at")
      .execute();
    return rows.map((row) => ({ at: row.created_at, amount: Number(row.wall_seconds) }));
  }

  /**
   * The tasks holding a concurrency slot: those of unreleased admissions whose task is active
   * (per the tasks table), plus any admission younger than `settleSince`, whose task may not
   * exist yet or not be reopened yet. An admission without a task counts as its own key.
   */
  async heldTasks(workspaceId: string, settleSince: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("usage_admissions as a")
      .leftJoin("tasks as t", "t.id", "a.task_id")
      .select((eb) => eb.fn.coalesce("a.task_id", "a.id").as("key"))
      .distinct()
      .where("a.workspace_id", "=", workspaceId)
      .where("a.released_at", "is", null)
      .where((eb) => eb.or([eb("a.created_at", ">", settleSince), eb("t.status", "in", ACTIVE_STATUSES)]))
      .execute();
    return rows.map((row) => row.key);
  }

  /**
   * Marks released the admissions that no longer hold a slot (settled, task ended or never
   * created), so the ledger's unreleased part stays small even if nobody calls release.
   */
  async releaseSettled(workspaceId: string, settleSince: string, now: Date): Promise<void> {
    await this.db
      .updateTable("usage_admissions")
      .set({ released_at: timestamp(now) })
      .where("workspace_id", "=", workspaceId)
      .where("released_at", "is", null)
      .where("created_at", "<=", settleSince)
      .where((eb) =>
        eb.or([
          eb("task_id", "is", null),
          eb.not(
            eb.exists(
              eb
                .selectFrom("tasks")
                .select(sql.lit(1).as("one"))
                .whereRef("tasks.id", "=", "usage_admissions.task_id")
                .where("tasks.status", "in", ACTIVE_STATUSES),
            ),
          ),
        ]),
      )
      .execute();
  }

  async insert(admission: NewAdmission, now: Date): Promise<Admission> {
    const createdAt = timestamp(now);
    const id = newId(now);
    await this.db
      .insertInto("usage_admissions")
      .values({
        id,
        workspace_id: admission.workspaceId,
        user_id: admission.userId,
        kind: admission.kind,
        plan: admission.plan,
        units: admission.units,
        model: admission.model,
        task_id: admission.taskId,
        created_at: createdAt,
        released_at: null,
      })
      .execute();
    await this.db
      .updateTable("usage_counters")
      .set((eb) => ({ admissions: eb("admissions", "+", 1), updated_at: createdAt }))
      .where("workspace_id", "=", admission.workspaceId)
      .execute();
    return { ...admission, id, createdAt, releasedAt: null };
  }
}

export class AdmissionsRepo {
  /** Unlocked reads, for reports such as the live meter, where a moment's staleness is fine. */
  readonly reader: LedgerQueries;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName = "sqlite",
  ) {
    this.reader = new LedgerQueries(db);
  }

  /** Runs `work` holding the workspace's admission lock (see the top of this file). */
  async locked<T>(workspaceId: string, now: Date, work: (ledger: LedgerQueries) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("usage_counters")
        .values({ workspace_id: workspaceId, admissions: 0, updated_at: timestamp(now) })
        .onConflict((oc) => oc.column("workspace_id").doNothing())
        .execute();
      if (this.dialect === "postgres") {
        await trx
          .selectFrom("usage_counters")
          .select("workspace_id")
          .where("workspace_id", "=", workspaceId)
          .forUpdate()
          .execute();
      }
      return work(new LedgerQueries(trx));
    });
  }

  async get(id: string): Promise<Admission | undefined> {
    const row = await this.db.selectFrom("usage_admissions").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      kind: row.kind,
      plan: row.plan,
      units: Number(row.units),
      model: row.model,
      taskId: row.task_id,
      createdAt: row.created_at,
      releasedAt: row.released_at,
    };
  }

  /** Records the task an admission let in, once it exists. */
  async link(id: string, taskId: string): Promise<boolean> {
    const result = await this.db
      .updateTable("usage_admissions")
      .set({ task_id: taskId })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Frees the admission's concurrency slot; it still counts in the windows. */
  async release(id: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("usage_admissions")
      .set({ released_at: timestamp(now) })
      .where("id", "=", id)
      .where("released_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Frees every slot the task's admissions hold. */
  async releaseTask(taskId: string, now: Date = new Date()): Promise<number> {
    const result = await this.db
      .updateTable("usage_admissions")
      .set({ released_at: timestamp(now) })
      .where("task_id", "=", taskId)
      .where("released_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Removes an admission whose task was never created, so it counts nowhere. */
  async refund(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("usage_admissions").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

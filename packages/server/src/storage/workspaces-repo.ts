/** Workspaces (a team or an organisation) and their members' roles. */
import type { Kysely, Selectable, Transaction } from "kysely";
import type { MembershipsTable, Role, WorkspacesTable } from "./accounts-schema.js";
import type { DialectName } from "./database.js";
import type { Database } from "./schema.js";
import { newId, timestamp } from "./values.js";

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

export interface Membership {
  workspace: Workspace;
  role: Role;
}

export interface Member {
  userId: string;
  email: string | null;
  name: string | null;
  role: Role;
  joinedAt: string;
}

/** Thrown when a change would leave a workspace with no owner. */
export class LastOwnerError extends Error {
  constructor(workspaceId: string) {
    super(`workspace ${workspaceId} must keep at least one owner`);
  }
}

export class WorkspacesRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /** The workspace with its creator as owner, in one transaction. */
  async create(input: { name: string; ownerUserId: string }, now: Date = new Date()): Promise<Workspace> {
    const row: Selectable<WorkspacesTable> = { id: newId(now), name: input.name, created_at: timestamp(now) };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("workspaces").values(row).execute();
      await trx
        .insertInto("memberships")
        .values({ workspace_id: row.id, user_id: input.ownerUserId, role: "owner", created_at: row.created_at })
        .execute();
    });
    return toWorkspace(row);
  }

  async get(id: string): Promise<Workspace | undefined> {
    const row = await this.db.selectFrom("workspaces").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toWorkspace(row);
  }

  /** The user's role in the workspace; undefined when not a member. */
  async roleOf(workspaceId: string, userId: string): Promise<Role | undefined> {
    const row = await this.db
      .selectFrom("memberships")
      .select("role")
      .where("workspace_id", "=", workspaceId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.role;
  }

  /** The workspaces a user belongs to, the oldest membership first (the default workspace). */
  async listForUser(userId: string): Promise<Membership[]> {
    const rows = await this.db
      .selectFrom("memberships")
      .innerJoin("workspaces", "workspaces.id", "memberships.workspace_id")
      .select(["workspaces.id", "workspaces.name", "workspaces.created_at", "memberships.role"])
      .where("memberships.user_id", "=", userId)
      .orderBy("memberships.created_at")
      .orderBy("workspaces.id")
      .execute();
    return rows.map((row) => ({ workspace: toWorkspace(row), role: row.role }));
  }

  async members(workspaceId: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select(["users.id", "users.email", "users.name", "memberships.role", "memberships.created_at"])
      .where("memberships.workspace_id", "=", workspaceId)
      .orderBy("memberships.created_at")
      .orderBy("users.id")
      .execute();
    return rows.map((row) => ({
      userId: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      joinedAt: row.created_at,
    }));
  }

  /** Adds the user; false when already a member (the role is left as it was). */
  async addMember(workspaceId: string, userId: string, role: Role, now: Date = new Date()): Promise<boolean> {
    const row: Selectable<MembershipsTable> = {
      workspace_id: workspaceId,
      user_id: userId,
      role,
      created_at: timestamp(now),
    };
    const result = await this.db
      .insertInto("memberships")
      .values(row)
      .onConflict((conflict) => conflict.columns(["workspace_id", "user_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Changes a member's role; false when not a member; LastOwnerError when it demotes the last owner. */
  async setRole(workspaceId: string, userId: string, role: Role): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockedRole(trx, workspaceId, userId);
      if (current === undefined) return false;
      if (current === "owner" && role !== "owner") await this.assertAnotherOwner(trx, workspaceId);
      await trx
        .updateTable("memberships")
        .set({ role })
        .where("workspace_id", "=", workspaceId)
        .where("user_id", "=", userId)
        .execute();
      return true;
    });
  }

  /** Removes a member; false when not a member; LastOwnerError when it is the last owner. */
  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockedRole(trx, workspaceId, userId);
      if (current === undefined) return false;
      if (current === "owner") await this.assertAnotherOwner(trx, workspaceId);
      await trx
        .deleteFrom("memberships")
        .where("workspace_id", "=", workspaceId)
        .where("user_id", "=", userId)
        .execute();
      return true;
    });
  }

  // On PostgreSQL the workspace row is locked, so two owners demoting each other at once cannot
  // both see "another owner remains"; SQLite runs one write transaction at a time anyway.
  private async lockedRole(trx: Transaction<Database>, workspaceId: string, userId: string): Promise<Role | undefined> {
    if (this.dialect === "postgres") {
      await trx.selectFrom("workspaces").select("id").where("id", "=", workspaceId).forUpdate().execute();
    }
    const row = await trx
      .selectFrom("memberships")
      .select("role")
      .where("workspace_id", "=", workspaceId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.role;
  }

  private async assertAnotherOwner(trx: Transaction<Database>, workspaceId: string): Promise<void> {
    const { owners } = await trx
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll<number | string>().as("owners"))
      .where("workspace_id", "=", workspaceId)
      .where("role", "=", "owner")
      .executeTakeFirstOrThrow();
    if (Number(owners) < 2) throw new LastOwnerError(workspaceId);
  }
}

function toWorkspace(row: Selectable<WorkspacesTable>): Workspace {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

/**
 * The audit log: who did what, when. Append-only by construction: this class has no update or
 * delete, and the database's triggers refuse them (migration 0003).
 */
import type { Kysely, Selectable } from "kysely";
import type { AuditLogTable } from "./accounts-schema.js";
import type { Database } from "./schema.js";
import { fromJson, newId, timestamp, toJson } from "./values.js";

export interface AuditEntry {
  id: string;
  at: string;
  workspaceId: string | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  /** e.g. `auth.login`, `token.created`, `member.role_changed`, `task.created`. */
  action: string;
  /** What the action was done to, e.g. `token:<id>`, `user:<id>`, `task:<id>`. */
  target: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, "id" | "at" | "details"> & { details?: Record<string, unknown> };

export interface AuditFilter {
  workspaceId: string;
  action?: string;
  limit?: number;
  /** For paging: only entries listed after this one (newest first). */
  before?: { at: string; id: string };
}

export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entry: NewAuditEntry, now: Date = new Date()): Promise<AuditEntry> {
    const row: Selectable<AuditLogTable> = {
      id: newId(now),
      at: timestamp(now),
      workspace_id: entry.workspaceId,
      actor_user_id: entry.actorUserId,
      actor_token_id: entry.actorTokenId,
      action: entry.action,
      target: entry.target,
      details: toJson(entry.details ?? {}),
    };
    await this.db.insertInto("audit_log").values(row).execute();
    return toAuditEntry(row);
  }

  /** Newest first. */
  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const { before } = filter;
    const rows = await this.db
      .selectFrom("audit_log")
      .selectAll()
      .where("workspace_id", "=", filter.workspaceId)
      .$if(filter.action !== undefined, (qb) => qb.where("action", "=", filter.action!))
      .$if(before !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([eb("at", "<", before!.at), eb.and([eb("at", "=", before!.at), eb("id", "<", before!.id)])]),
        ),
      )
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toAuditEntry);
  }
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    workspaceId: row.workspace_id,
    actorUserId: row.actor_user_id,
    actorTokenId: row.actor_token_id,
    action: row.action,
    target: row.target,
    details: fromJson<Record<string, unknown>>(row.details),
  };
}

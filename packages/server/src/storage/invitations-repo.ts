/** Invitations to workspaces. Records never carry the token's hash; lookups take it. */
import type { Kysely, Selectable } from "kysely";
import type { InvitationsTable, Role } from "./accounts-schema.js";
import type { Database } from "./schema.js";
import { normalizeEmail } from "./users-repo.js";
import { newId, timestamp } from "./values.js";

export interface Invitation {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  name: string | null;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revokedAt: string | null;
}

export interface NewInvitation {
  workspaceId: string;
  email: string;
  role: Role;
  name?: string | null;
  tokenHash: string;
  invitedBy: string | null;
  expiresAt: Date;
}

export class InvitationsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewInvitation, now: Date = new Date()): Promise<Invitation> {
    const row: Selectable<InvitationsTable> = {
      id: newId(now),
      workspace_id: input.workspaceId,
      email: normalizeEmail(input.email),
      role: input.role,
      name: input.name ?? null,
      token_hash: input.tokenHash,
      invited_by: input.invitedBy,
      created_at: timestamp(now),
      expires_at: timestamp(input.expiresAt),
      accepted_at: null,
      accepted_by: null,
      revoked_at: null,
    };
    await this.db.insertInto("invitations").values(row).execute();
    return toInvitation(row);
  }

  /** The invitation with this token, unless it was accepted, revoked or has expired. */
  async getOpenByTokenHash(tokenHash: string, now: Date = new Date()): Promise<Invitation | undefined> {
    const row = await this.open(now).where("token_hash", "=", tokenHash).executeTakeFirst();
    return row && toInvitation(row);
  }

  /** Open invitations for an email (in every workspace), oldest first. */
  async listOpenForEmail(email: string, now: Date = new Date()): Promise<Invitation[]> {
    const rows = await this.open(now).where("email", "=", normalizeEmail(email)).orderBy("created_at").execute();
    return rows.map(toInvitation);
  }

  /** A workspace's open invitations, newest first. */
  async listOpen(workspaceId: string, now: Date = new Date()): Promise<Invitation[]> {
    const rows = await this.open(now).where("workspace_id", "=", workspaceId).orderBy("created_at", "desc").execute();
    return rows.map(toInvitation);
  }

  async get(workspaceId: string, id: string): Promise<Invitation | undefined> {
    const row = await this.db
      .selectFrom("invitations")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toInvitation(row);
  }

  /**
   * Marks the invitation accepted by the user, if it is still open. Single use even under races:
   * the update only matches an open row, and only one caller sees it change.
   */
  async markAccepted(id: string, userId: string | null, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("invitations")
      .set({ accepted_at: timestamp(now), accepted_by: userId })
      .where("id", "=", id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", timestamp(now))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Who accepted, once their account exists (an invitation is claimed before the account is made). */
  async setAcceptedBy(id: string, userId: string): Promise<void> {
    await this.db.updateTable("invitations").set({ accepted_by: userId }).where("id", "=", id).execute();
  }

  async revoke(workspaceId: string, id: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("invitations")
      .set({ revoked_at: timestamp(now) })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private open(now: Date) {
    return this.db
      .selectFrom("invitations")
      .selectAll()
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", timestamp(now));
  }
}

function toInvitation(row: Selectable<InvitationsTable>): Invitation {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    role: row.role,
    name: row.name,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    acceptedBy: row.accepted_by,
    revokedAt: row.revoked_at,
  };
}

/** Browser sessions, keyed by the sha256 of the cookie's value (the value itself is never stored). */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { timestamp } from "./values.js";

export interface StoredSession {
  userId: string;
  createdAt: string;
  expiresAt: string;
}

export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: { idHash: string; userId: string; expiresAt: Date }, now: Date = new Date()): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        id_hash: input.idHash,
        user_id: input.userId,
        created_at: timestamp(now),
        expires_at: timestamp(input.expiresAt),
      })
      .execute();
  }

  /** The session, unless it does not exist or has expired. */
  async getLive(idHash: string, now: Date = new Date()): Promise<StoredSession | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("id_hash", "=", idHash)
      .where("expires_at", ">", timestamp(now))
      .executeTakeFirst();
    return row && { userId: row.user_id, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async delete(idHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom("sessions").where("id_hash", "=", idHash).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Ends every session of the user but the one kept (after a password change); returns how many. */
  async deleteOthersOfUser(userId: string, keptIdHash: string): Promise<number> {
    const result = await this.db
      .deleteFrom("sessions")
      .where("user_id", "=", userId)
      .where("id_hash", "!=", keptIdHash)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Ends every session of the user (their password was taken away); returns how many. */
  async deleteAllOfUser(userId: string): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Removes expired sessions; returns how many. */
  async deleteExpired(now: Date = new Date()): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", timestamp(now)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** API tokens: stored as the sha256 of their value, scoped, revocable, with the time of last use. */
import type { Kysely, Selectable } from "kysely";
import type { ApiTokensTable } from "./accounts-schema.js";
import type { Database } from "./schema.js";
import { fromJson, newId, timestamp, toJson } from "./values.js";

/** What may be shown about a token: never its value or its hash. */
export interface ApiToken {
  id: string;
  userId: string;
  workspaceId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiToken {
  userId: string;
  workspaceId: string;
  name: string;
  tokenHash: string;
  prefix: string;
  scopes: string[];
  expiresAt?: Date | null;
}

/** Last use is recorded at most this often per token, so busy scripts do not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export class ApiTokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewApiToken, now: Date = new Date()): Promise<ApiToken> {
    const row: Selectable<ApiTokensTable> = {
      id: newId(now),
      user_id: input.userId,
      workspace_id: input.workspaceId,
      name: input.name,
      token_hash: input.tokenHash,
      prefix: input.prefix,
      scopes: toJson(input.scopes),
      created_at: timestamp(now),
      expires_at: input.expiresAt ? timestamp(input.expiresAt) : null,
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto("api_tokens").values(row).execute();
    return toApiToken(row);
  }

  async get(id: string): Promise<ApiToken | undefined> {
    const row = await this.db.selectFrom("api_tokens").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toApiToken(row);
  }

  /** The token with this hash, revoked and expired ones included (the caller says why it is refused). */
  async findByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom("api_tokens")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row && toApiToken(row);
  }

  /** A workspace's tokens, newest first; only one user's when userId is given. */
  async list(filter: { workspaceId: string; userId?: string }): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom("api_tokens")
      .selectAll()
      .where("workspace_id", "=", filter.workspaceId)
      .$if(filter.userId !== undefined, (qb) => qb.where("user_id", "=", filter.userId!))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    return rows.map(toApiToken);
  }

  /** Revokes the token; false when it does not exist or already was. */
  async revoke(id: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("api_tokens")
      .set({ revoked_at: timestamp(now) })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async touch(id: string, now: Date = new Date()): Promise<void> {
    const stale = timestamp(new Date(now.getTime() - TOUCH_INTERVAL_MS));
    await this.db
      .updateTable("api_tokens")
      .set({ last_used_at: timestamp(now) })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", stale)]))
      .execute();
  }
}

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    scopes: fromJson<string[]>(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

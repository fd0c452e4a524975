import type { ForgeKind } from "@quire/protocol";
import type { Kysely, Selectable } from "kysely";
import { LOCAL_WORKSPACE_ID } from "./accounts-schema.js";
import { ACTIVE_STATUSES } from "./tasks-repo.js";
import type { SecretCipher, SecretRow } from "./secret-cipher.js";
import type { Database, RepositoriesTable } from "./schema.js";
import { newId, timestamp } from "./values.js";

/** A user name and password (or token) taken out of a repository URL; stored encrypted. */
export interface UrlCredentials {
  username: string;
  password: string;
}

export interface Repository {
  id: string;
  name: string;
  /** A local path or a git URL. */
  source: string;
  defaultBranch: string;
  createdAt: string;
  workspaceId: string | null;
  /** Its forge project (comments and webhooks there reach it); null: not linked. */
  forge: { kind: ForgeLinkKind; repo: string } | null;
  /** New and updated pull requests on its forge are reviewed on their own. */
  autoReview: boolean;
}

export type ForgeLinkKind = ForgeKind;

export interface NewRepository {
  name: string;
  source: string;
  defaultBranch?: string;
  /** The local workspace when not given. */
  workspaceId?: string;
  /** Taken out of the URL (url-credentials.ts); stored encrypted, never shown. */
  credentials?: UrlCredentials | null;
  forge?: { kind: ForgeLinkKind; repo: string } | null;
  autoReview?: boolean;
}

/** The row of a repository's credentials for the cipher's additional data: not an environment's. */
function credentialsRow(repositoryId: string): SecretRow {
  return { environmentId: `repository:${repositoryId}`, name: "source credentials" };
}

export class RepositoriesRepo {
  /** `cipher` is null only in a process that never touches secrets (`quire plan`). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: SecretCipher | null = null,
  ) {}

  async create(input: NewRepository, now: Date = new Date()): Promise<Repository> {
    const id = newId(now);
    const row: Selectable<RepositoriesTable> = {
      id,
      name: input.name,
      source: input.source,
      default_branch: input.defaultBranch ?? "main",
      created_at: timestamp(now),
      workspace_id: input.workspaceId ?? LOCAL_WORKSPACE_ID,
      removed_at: null,
      source_credentials: this.sealCredentials(id, input.credentials ?? null),
      forge_kind: input.forge?.kind ?? null,
      forge_repo: input.forge?.repo ?? null,
      auto_review: input.autoReview ? 1 : 0,
    };
    await this.db.insertInto("repositories").values(row).execute();
    return toRepository(row);
  }

  /** The credentials the URL was registered with, decrypted, for git's environment only. */
  async credentials(id: string): Promise<UrlCredentials | null> {
    const row = await this.db
      .selectFrom("repositories")
      .select("source_credentials")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row?.source_credentials) return null;
    return JSON.parse(this.requireCipher().decrypt(row.source_credentials, credentialsRow(id))) as UrlCredentials;
  }

  /** Replaces the source and its credentials (moving credentials out of URLs stored before they were split). */
  async setSource(id: string, source: string, credentials: UrlCredentials | null): Promise<void> {
    await this.db
      .updateTable("repositories")
      .set({ source, source_credentials: this.sealCredentials(id, credentials) })
      .where("id", "=", id)
      .execute();
  }

  private sealCredentials(id: string, credentials: UrlCredentials | null): string | null {
    if (!credentials) return null;
    return this.requireCipher().encrypt(JSON.stringify(credentials), credentialsRow(id));
  }

  private requireCipher(): SecretCipher {
    if (!this.cipher)
      throw new Error("this process has no secrets key, so it cannot read or write repository credentials");
    return this.cipher;
  }

  async setAutoReview(id: string, on: boolean): Promise<void> {
    await this.db
      .updateTable("repositories")
      .set({ auto_review: on ? 1 : 0 })
      .where("id", "=", id)
      .execute();
  }

  /**
   * The repositories linked to one forge project, oldest first (removed ones left out). The forge's
   * own spelling decides: GitHub and Gitea names are case-insensitive, so they compare lowercased.
   */
  async findByForge(kind: ForgeLinkKind, repo: string): Promise<Repository[]> {
    const rows = await this.db
      .selectFrom("repositories")
      .selectAll()
      .where("removed_at", "is", null)
      .where("forge_kind", "=", kind)
      .where((eb) => eb(eb.fn("lower", ["forge_repo"]), "=", repo.toLowerCase()))
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toRepository);
  }

  async setDefaultBranch(id: string, branch: string): Promise<void> {
    await this.db.updateTable("repositories").set({ default_branch: branch }).where("id", "=", id).execute();
  }

  /** Removed repositories are not found: nothing new may start from one. */
  async get(id: string): Promise<Repository | undefined> {
    const row = await this.db
      .selectFrom("repositories")
      .selectAll()
      .where("id", "=", id)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    return row && toRepository(row);
  }

  /** All of them, or one workspace's (removed ones left out). */
  async list(workspaceId?: string): Promise<Repository[]> {
    const rows = await this.db
      .selectFrom("repositories")
      .selectAll()
      .where("removed_at", "is", null)
      .$if(workspaceId !== undefined, (qb) => qb.where("workspace_id", "=", workspaceId!))
      .orderBy("name")
      .orderBy("id")
      .execute();
    return rows.map(toRepository);
  }

  async rename(id: string, name: string): Promise<boolean> {
    const result = await this.db
      .updateTable("repositories")
      .set({ name })
      .where("id", "=", id)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** How many of its tasks are queued or running: a repository is not removed under them. */
  async countActiveTasks(id: string): Promise<number> {
    const row = await this.db
      .selectFrom("tasks")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
      .where("repository_id", "=", id)
      .where("status", "in", ACTIVE_STATUSES)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * Marks the repository removed and deletes its environments (with their secrets), unless one of
   * its tasks is active (checked in the same statement, so a task starting now is not missed). Its
   * tasks keep referring to the row, so their records stay readable. False when nothing was removed.
   */
  async remove(id: string, now: Date = new Date()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("repositories")
        .set({ removed_at: timestamp(now) })
        .where("id", "=", id)
        .where("removed_at", "is", null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("tasks")
                .select("tasks.id")
                .where("tasks.repository_id", "=", id)
                .where("tasks.status", "in", ACTIVE_STATUSES),
            ),
          ),
        )
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx.deleteFrom("environments").where("repository_id", "=", id).execute();
      return true;
    });
  }

  /** Deletes the row itself (a registration that failed); fails while tasks still refer to it. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("repositories").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function toRepository(row: Selectable<RepositoriesTable>): Repository {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    defaultBranch: row.default_branch,
    createdAt: row.created_at,
    workspaceId: row.workspace_id,
    forge: row.forge_kind && row.forge_repo ? { kind: row.forge_kind as ForgeLinkKind, repo: row.forge_repo } : null,
    autoReview: row.auto_review === 1,
  };
}

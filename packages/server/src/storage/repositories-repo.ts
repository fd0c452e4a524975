import type { Kysely, Selectable } from "kysely";
import { LOCAL_WORKSPACE_ID } from "./accounts-schema.js";
import type { Database, RepositoriesTable } from "./schema.js";
import { newId, timestamp } from "./values.js";

export interface Repository {
  id: string;
  name: string;
  /** A local path or a git URL. */
  source: string;
  defaultBranch: string;
  createdAt: string;
  workspaceId: string | null;
}

export interface NewRepository {
  name: string;
  source: string;
  defaultBranch?: string;
  /** The local workspace when not given. */
  workspaceId?: string;
}

export class RepositoriesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewRepository, now: Date = new Date()): Promise<Repository> {
    const row: Selectable<RepositoriesTable> = {
      id: newId(now),
      name: input.name,
      source: input.source,
      default_branch: input.defaultBranch ?? "main",
      created_at: timestamp(now),
      workspace_id: input.workspaceId ?? LOCAL_WORKSPACE_ID,
    };
    await this.db.insertInto("repositories").values(row).execute();
    return toRepository(row);
  }

  async setDefaultBranch(id: string, branch: string): Promise<void> {
    await this.db.updateTable("repositories").set({ default_branch: branch }).where("id", "=", id).execute();
  }

  async get(id: string): Promise<Repository | undefined> {
    const row = await this.db.selectFrom("repositories").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRepository(row);
  }

  /** All of them, or one workspace's. */
  async list(workspaceId?: string): Promise<Repository[]> {
    const rows = await this.db
      .selectFrom("repositories")
      .selectAll()
      .$if(workspaceId !== undefined, (qb) => qb.where("workspace_id", "=", workspaceId!))
      .orderBy("name")
      .orderBy("id")
      .execute();
    return rows.map(toRepository);
  }

  /** Deletes the repository with its environments; fails while tasks still refer to it. */
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
  };
}

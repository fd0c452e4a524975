import type { Kysely, Selectable } from "kysely";
import type { Database, RepositoriesTable } from "./schema.js";
import { newId, timestamp } from "./values.js";

export interface Repository {
  id: string;
  name: string;
  /** A local path or a git URL. */
  source: string;
  defaultBranch: string;
  createdAt: string;
}

export interface NewRepository {
  name: string;
  source: string;
  defaultBranch?: string;
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
    };
    await this.db.insertInto("repositories").values(row).execute();
    return toRepository(row);
  }

  async get(id: string): Promise<Repository | undefined> {
    const row = await this.db.selectFrom("repositories").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRepository(row);
  }

  async list(): Promise<Repository[]> {
    const rows = await this.db.selectFrom("repositories").selectAll().orderBy("name").orderBy("id").execute();
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
  };
}

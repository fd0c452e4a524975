import type { Kysely, Selectable } from "kysely";
import { LOCAL_WORKSPACE_ID } from "./accounts-schema.js";
import type { Database, EnvironmentsTable } from "./schema.js";
import { type SecretCipher, SecretDecryptionError } from "./secret-cipher.js";
import { fromJson, newId, timestamp, toJson } from "./values.js";

/** The definition is validated by the API layer; storage keeps it as JSON. */
export type EnvironmentDefinition = Record<string, unknown>;

export interface Environment {
  id: string;
  repositoryId: string;
  name: string;
  definition: EnvironmentDefinition;
  createdAt: string;
  updatedAt: string;
  workspaceId: string | null;
}

/** What may be shown about a secret: never its value. */
export interface SecretInfo {
  name: string;
  version: number;
  updatedAt: string;
}

/** A stored secret for the setup phase: its value, or why this process cannot decrypt it. */
/** `updatedAt` tells a value deleted and set again from the first one, though both have version 1. */
export type SecretValue =
  | { name: string; version: number; updatedAt: string; readable: true; value: string }
  | { name: string; version: number; updatedAt: string; readable: false; error: SecretDecryptionError };

export class EnvironmentsRepo {
  /** `cipher` is null only in a process that never touches secret values (`quire plan`). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: SecretCipher | null,
  ) {}

  async create(
    input: { repositoryId: string; name: string; definition: EnvironmentDefinition; workspaceId?: string },
    now: Date = new Date(),
  ): Promise<Environment> {
    const row: Selectable<EnvironmentsTable> = {
      id: newId(now),
      repository_id: input.repositoryId,
      name: input.name,
      definition: toJson(input.definition),
      created_at: timestamp(now),
      updated_at: timestamp(now),
      workspace_id: input.workspaceId ?? LOCAL_WORKSPACE_ID,
    };
    await this.db.insertInto("environments").values(row).execute();
    return toEnvironment(row);
  }

  async get(id: string): Promise<Environment | undefined> {
    const row = await this.db.selectFrom("environments").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toEnvironment(row);
  }

  async listForRepository(repositoryId: string): Promise<Environment[]> {
    const rows = await this.db
      .selectFrom("environments")
      .selectAll()
      .where("repository_id", "=", repositoryId)
      .orderBy("name")
      .execute();
    return rows.map(toEnvironment);
  }

  async updateDefinition(id: string, definition: EnvironmentDefinition, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable("environments")
      .set({ definition: toJson(definition), updated_at: timestamp(now) })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("environments").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Creates or replaces a secret, encrypted; its version goes up by one on every write. */
  async setSecret(environmentId: string, name: string, plaintext: string, now: Date = new Date()): Promise<SecretInfo> {
    const value = this.requireCipher().encrypt(plaintext, { environmentId, name });
    const updatedAt = timestamp(now);
    const row = await this.db
      .insertInto("environment_secrets")
      .values({ environment_id: environmentId, name, value, version: 1, updated_at: updatedAt })
      .onConflict((conflict) =>
        conflict.columns(["environment_id", "name"]).doUpdateSet((eb) => ({
          value,
          version: eb("environment_secrets.version", "+", 1),
          updated_at: updatedAt,
        })),
      )
      .returning(["name", "version", "updated_at"])
      .executeTakeFirstOrThrow();
    return { name: row.name, version: row.version, updatedAt: row.updated_at };
  }

  async listSecrets(environmentId: string): Promise<SecretInfo[]> {
    const rows = await this.db
      .selectFrom("environment_secrets")
      .select(["name", "version", "updated_at"])
      .where("environment_id", "=", environmentId)
      .orderBy("name")
      .execute();
    return rows.map((row) => ({ name: row.name, version: row.version, updatedAt: row.updated_at }));
  }

  /**
   * The values, decrypted, for the setup phase only (secrets never reach the agent phase or the
   * API). A value this key cannot decrypt is reported, not thrown: only a task that needs it fails.
   */
  async readSecrets(environmentId: string): Promise<SecretValue[]> {
    const cipher = this.requireCipher();
    const rows = await this.db
      .selectFrom("environment_secrets")
      .select(["name", "value", "version", "updated_at"])
      .where("environment_id", "=", environmentId)
      .orderBy("name")
      .execute();
    return rows.map((row) => {
      const known = { name: row.name, version: row.version, updatedAt: row.updated_at };
      try {
        return {
          ...known,
          readable: true,
          value: cipher.decrypt(row.value, { environmentId, name: row.name }),
        };
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        return { ...known, readable: false, error };
      }
    });
  }

  /** Every value by name; throws SecretDecryptionError when one cannot be decrypted. */
  async secretValues(environmentId: string): Promise<Record<string, string>> {
    const secrets = await this.readSecrets(environmentId);
    return Object.fromEntries(
      secrets.map((secret) => {
        if (!secret.readable) throw secret.error;
        return [secret.name, secret.value];
      }),
    );
  }

  async deleteSecret(environmentId: string, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("environment_secrets")
      .where("environment_id", "=", environmentId)
      .where("name", "=", name)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  private requireCipher(): SecretCipher {
    if (!this.cipher)
      throw new Error("this process has no secrets key, so it cannot read or write environment secrets");
    return this.cipher;
  }
}

function toEnvironment(row: Selectable<EnvironmentsTable>): Environment {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    name: row.name,
    definition: fromJson<EnvironmentDefinition>(row.definition),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    workspaceId: row.workspace_id,
  };
}

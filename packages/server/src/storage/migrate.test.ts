import { NO_MIGRATIONS, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, migratorFor } from "./migrate.js";
import { migrationProvider } from "./migrations/index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";

describe.each(TEST_DIALECTS)("migrations on %s", (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect, { migrate: false });
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("applies every migration once, then is a no-op, and survives concurrent runs", async () => {
    const first = await migrateToLatest(database.db);
    expect(first.map((result) => [result.migrationName, result.status])).toEqual([
      ["0001-initial", "Success"],
      ["0002-follow-ups-and-delivery", "Success"],
      ["0003-accounts", "Success"],
      ["0004-usage", "Success"],
      ["0005-task-creator", "Success"],
      ["0006-verification-skipped", "Success"],
      ["0007-invitations", "Success"],
      ["0008-repository-credentials", "Success"],
      ["0010-repository-removal", "Success"],
      ["0012-rounds-with-the-task", "Success"],
      ["0019-blobs", "Success"],
      ["0020-blobs-in-database", "Success"],
      ["0030-forges", "Success"],
      ["0040-review-mode", "Success"],
      ["0050-task-images", "Success"],
      ["0051-webhooks", "Success"],
      ["0052-webhook-deliveries", "Success"],
    ]);
    expect(await migrateToLatest(database.db)).toEqual([]);
    const concurrent = await Promise.all([migrateToLatest(database.db), migrateToLatest(database.db)]);
    expect(concurrent.flat()).toEqual([]);
    const tables = await ownTables();
    expect(tables.map((table) => table.name).sort()).toEqual([
      "api_tokens",
      "attempts",
      "audit_log",
      "blob_chunks",
      "blobs",
      "command_outputs",
      "environment_secrets",
      "environments",
      "events",
      "forge_deliveries",
      "forge_triggers",
      "identities",
      "invitations",
      "memberships",
      "messages",
      "repositories",
      "sessions",
      "task_images",
      "tasks",
      "usage_admissions",
      "usage_counters",
      "usage_records",
      "users",
      "webhook_deliveries",
      "webhooks",
      "workspace_plans",
      "workspaces",
    ]);
  });

  // Introspection lists every schema's tables; other test files' PostgreSQL schemas exist meanwhile.
  const ownTables = async () => {
    const tables = await database.db.introspection.getTables();
    if (dialect !== "postgres") return tables;
    const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
    return tables.filter((table) => table.schema === current.rows[0]?.schema);
  };

  it("migrates a database while another schema in the same database is migrated too", async () => {
    const other = await openTestDatabase(dialect);
    try {
      expect(await migrateToLatest(other.db)).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });

  it("migrates down to nothing and up again", async () => {
    const migrator = await migratorFor(database.db);
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(await ownTables()).toEqual([]);
    const again = await migrateToLatest(database.db);
    expect(again.map((result) => result.status)).toEqual(
      Object.keys(await migrationProvider.getMigrations()).map(() => "Success"),
    );
    expect(again).toHaveLength(Object.keys(await migrationProvider.getMigrations()).length);
  });

  it("enforces foreign keys and check constraints", async () => {
    const at = new Date().toISOString();
    const orphan = database.db
      .insertInto("environments")
      .values({ id: "e1", repository_id: "missing", name: "x", definition: "{}", created_at: at, updated_at: at })
      .execute();
    await expect(orphan).rejects.toThrow(/foreign key/i);
    await database.db
      .insertInto("repositories")
      .values({ id: "r1", name: "r", source: "/src", default_branch: "main", created_at: at })
      .execute();
    const tooMany = database.db
      .insertInto("tasks")
      .values({
        ...{ id: "t1", repository_id: "r1", ref: "main", base_commit: null, mode: "code", prompt: "p" },
        ...{ status: "queued", attempts_requested: 5, environment_id: null, model: null, archived: 0 },
        ...{ final_message: null, reason: null, cancel_requested_at: null, last_event_seq: 0 },
        ...{ created_at: at, updated_at: at },
      })
      .execute();
    await expect(tooMany).rejects.toThrow(/check/i);
    const count = await sql<{ n: number }>`select count(*) as n from tasks`.execute(database.db);
    expect(Number(count.rows[0]?.n)).toBe(0);
  });
});

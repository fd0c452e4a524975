import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, redact, sqlitePath } from "./database.js";
import { testPostgresUrl } from "../../testing/databases.js";

describe("choosing the database", () => {
  const home = path.join(os.tmpdir(), "quire-home");

  it("maps URLs to SQLite files, relative to home", () => {
    expect(sqlitePath(undefined, home)).toBe(path.join(home, "quire.db"));
    expect(sqlitePath(":memory:", home)).toBe(":memory:");
    expect(sqlitePath("sqlite://:memory:", home)).toBe(":memory:");
    expect(sqlitePath("sqlite:///var/lib/quire/q.db", home)).toBe("/var/lib/quire/q.db");
    expect(sqlitePath("sqlite://data/q.db", home)).toBe(path.join(home, "data/q.db"));
    expect(() => sqlitePath("mysql://host/db", home)).toThrow(/unsupported/);
  });

  it("hides passwords in URLs", () => {
    expect(redact("postgres://quire:s3cret@db:5432/quire")).toBe("postgres://quire:***@db:5432/quire");
    expect(redact("postgres://postgres@127.0.0.1/test")).toBe("postgres://postgres@127.0.0.1/test");
  });

  it("opens PostgreSQL for postgres:// URLs without connecting yet", async () => {
    const database = openDatabase({ url: testPostgresUrl().replace(/^postgres:/, "postgresql:"), home });
    expect(database.dialect).toBe("postgres");
    await database.close();
  });
});

describe("SQLite in Quire's home", () => {
  let home: string | undefined;
  afterEach(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  it("creates home/quire.db with WAL, foreign keys and a busy timeout", async () => {
    home = path.join(await mkdtemp(path.join(os.tmpdir(), "quire-db-")), "nested", "home");
    const database = openDatabase({ home });
    try {
      expect(database).toMatchObject({ dialect: "sqlite", location: path.join(home, "quire.db") });
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0] as unknown;
      expect(await pragma("journal_mode")).toBe("wal");
      expect(await pragma("foreign_keys")).toBe(1);
      expect(await pragma("busy_timeout")).toBe(5000);
    } finally {
      await database.close();
    }
  });
});

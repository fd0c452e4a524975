/**
 * Opens Quire's database: PostgreSQL when given a `postgres://` URL (DATABASE_URL), otherwise
 * SQLite, by default the file `quire.db` in Quire's home.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

export interface OpenDatabaseOptions {
  /** `postgres://…` / `postgresql://…`, `sqlite:///abs/path.db`, `sqlite://rel/path.db`, `:memory:`; unset for SQLite in home. */
  url?: string;
  /** Quire's home folder: where the default SQLite file lives. */
  home: string;
  /** PostgreSQL only: the schema to use (search_path), for sharing one database between installs or tests. */
  schema?: string;
  /** PostgreSQL only: the pool's size. */
  maxConnections?: number;
}

export interface StorageDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Where the data lives, with any password removed: for logs. */
  location: string;
  close(): Promise<void>;
}

/** SQLite waits this long for another process's write lock before failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(options: OpenDatabaseOptions): StorageDatabase {
  const url = options.url?.trim() || undefined;
  if (url !== undefined && /^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options);
  return openSqlite(sqlitePath(url, options.home));
}

/** Resolves the SQLite file (or ":memory:") a URL names; relative paths are relative to home. */
export function sqlitePath(url: string | undefined, home: string): string {
  if (url === undefined) return path.join(home, "quire.db");
  if (url === ":memory:") return url;
  const file = url.startsWith("sqlite://") ? url.slice("sqlite://".length) : url.replace(/^sqlite:/, "");
  if (file === "" || file === ":memory:") return ":memory:";
  if (/^[a-z]+:\/\//i.test(file))
    throw new Error(`unsupported database URL ${redact(url)}: use postgres:// or sqlite://`);
  return path.resolve(home, file);
}

function openSqlite(file: string): StorageDatabase {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const connection = new SqliteDatabase(file);
  // WAL lets readers (SSE streams) go on while a worker writes; an in-memory database has no WAL.
  if (file !== ":memory:") connection.pragma("journal_mode = WAL");
  connection.pragma("foreign_keys = ON");
  connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  // Kysely's SQLite driver shares this one connection, one query or transaction at a time. Open one
  // per process: a second connection in the same process would block the thread in busy_timeout
  // while the first holds the write lock, and so never let the first finish. Other processes
  // (workers) are fine: they wait for the lock.
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  return { db, dialect: "sqlite", location: file, close: () => db.destroy() };
}

function openPostgres(url: string, options: OpenDatabaseOptions): StorageDatabase {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/i.test(options.schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(options.schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    // Set per connection at startup, so every pooled connection sees the same tables.
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", location: redact(url), close: () => db.destroy() };
}

/** Hides the password in a URL, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, "$1:***@");
}

/**
 * One Quire process: `quire serve` (API + web app + workers) or `quire worker` (workers only).
 * SQLite in Quire's home by default, with workers in this process taking attempts straight from
 * storage; with DATABASE_URL=postgres://… attempts go through pg-boss, so `quire worker`
 * processes on any machine can share them, and live events reach this process by LISTEN/NOTIFY.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { modelReadiness, type ModelReadiness } from "@quire/core";
import type { Logger } from "pino";
import { type AuthOptions, createApp, type QuireApp } from "./http/app.js";
import type { DeliverySettings } from "./http/api-context.js";
import type { ServerContext } from "./context.js";
import { EventHub } from "./events/event-hub.js";
import { createMetrics } from "./metrics.js";
import { startServer } from "./http/server.js";
import { moveBlobFilesIntoDatabase } from "./blobs/legacy-blob-files.js";
import { createRepos, migrateToLatest, openDatabase, type Repos, type StorageDatabase } from "./storage/index.js";
import { openSecretsAtRest } from "./secrets-at-rest.js";
import type { RunSettings, WorkerContext } from "./worker/context.js";
import { listenForEvents, type EventListener } from "./worker/pg-listener.js";
import { PgBossQueue } from "./worker/pg-boss-queue.js";
import { WorkerPool } from "./worker/pool.js";
import { newWorkerId } from "./worker/recovery.js";
import { concurrencyGate } from "./worker/gate.js";
import { moveUrlCredentials } from "./sources/legacy-url-credentials.js";
import { Notifier } from "./notifications/index.js";

export interface ServiceOptions {
  settings: RunSettings;
  logger: Logger;
  databaseUrl?: string;
  /** PostgreSQL connections of this process (each event append is a short transaction). */
  databasePoolSize?: number;
  /** PostgreSQL schema (tests and shared databases); pg-boss uses `<schema>_queue`. */
  databaseSchema?: string;
  /** Attempts run at once by this process; 0 for an API-only process. */
  concurrency: number;
  /** Absent for `quire worker`. */
  /** trustProxy: a TLS-terminating reverse proxy's X-Forwarded-Proto is believed (HSTS); see docs/server.md. */
  http?: { host: string; port: number; staticDir?: string; trustProxy?: boolean };
  /** The API without a listening socket, for this process's own use through `app.fetch` (`quire mcp`). */
  inProcessApi?: boolean;
  delivery?: DeliverySettings;
  /** Single-user local mode (default) or accounts; see docs/accounts.md. */
  auth?: AuthOptions;
  /** `[sources] local_roots` / QUIRE_LOCAL_SOURCE_ROOTS: where local repository paths may be. */
  localSourceRoots?: readonly string[];
  /**
   * Whether local paths must be under those roots: always in multi-user mode; a `quire worker`
   * (which has no auth mode) restricts when roots are configured.
   */
  restrictLocalSources?: boolean;
  /** QUIRE_SECRETS_KEY's value; unset: `secrets.key` in Quire's home, made on first use. */
  secretsKey?: string;
  leaseMs?: number;
  heartbeatMs?: number;
  /** Testing hooks for the worker context (model client, verification off). */
  worker?: Partial<Pick<WorkerContext, "modelClient" | "skipVerification">>;
}

export interface RunningService {
  url?: string;
  /** Whether this process's workers can call their model (a key is set); absent without workers. */
  modelStatus?: ModelReadiness;
  repos: Repos;
  app?: QuireApp;
  pool?: WorkerPool;
  database: StorageDatabase;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { logger, settings } = options;
  const database = openDatabase({
    url: options.databaseUrl,
    home: settings.home,
    schema: options.databaseSchema,
    maxConnections: options.databasePoolSize ?? 20,
  });
  const closers: (() => Promise<void>)[] = [];
  const modelStatus = options.concurrency > 0 ? workerModelStatus(options) : undefined;
  if (modelStatus?.ready === false) logger.warn({ provider: modelStatus.provider }, modelStatus.message ?? "");
  try {
    await migrateToLatest(database.db);
    const secretCipher = await openSecretsAtRest({
      home: settings.home,
      secretsKey: options.secretsKey,
      database,
      logger,
    });
    const repos = createRepos({ ...database, secretCipher });
    const moved = await moveUrlCredentials(repos, settings.home);
    if (moved > 0)
      logger.info({ repositories: moved }, "moved credentials out of repository URLs into encrypted storage");
    const blobsMoved = await moveBlobFilesIntoDatabase(repos, settings.home);
    if (blobsMoved > 0) logger.info({ blobs: blobsMoved }, "moved blob files of this home into the database");
    const abandoned = await repos.blobs.sweepAbandonedWrites();
    if (abandoned > 0) logger.info({ writes: abandoned }, "removed the chunks of blob writes that never finished");
    const hub = new EventHub();
    const metrics = createMetrics({ defaultMetrics: true });
    // Links in webhooks point at QUIRE_PUBLIC_URL, else at where this process listens.
    const listening: { url?: string } = {};
    const notifier = new Notifier({
      repos,
      logger,
      home: settings.home,
      publicUrl: () => process.env.QUIRE_PUBLIC_URL || listening.url || "http://localhost:7420",
    });
    // Deliveries a stopped process left due are taken up here, by whichever process looks first.
    notifier.start();
    closers.push(() => notifier.stop());
    const postgres = database.dialect === "postgres" && options.databaseUrl !== undefined;
    // One context for the whole process: its API and its workers share it.
    const shared: ServerContext = {
      repos,
      hub,
      logger,
      metrics,
      home: settings.home,
      localSources: {
        restricted: options.restrictLocalSources ?? options.auth?.mode === "multi",
        roots: options.localSourceRoots ?? [],
        home: settings.home,
      },
    };
    const ctx: WorkerContext = {
      ...shared,
      settings,
      notifier,
      workerId: newWorkerId(),
      leaseMs: options.leaseMs ?? 30_000,
      // Several beats per lease: a lease shorter than the default beat (QUIRE_LEASE_MS=3000) would
      // otherwise run out under every attempt that lasts longer than it.
      heartbeatMs: options.heartbeatMs ?? Math.min(5_000, Math.floor((options.leaseMs ?? 30_000) / 3)),
      // Preparing a workspace is CPU-heavy (clone, setup, mount): a few at a time per core.
      preparationGate: concurrencyGate(Math.max(2, availableParallelism())),
      enforcePlans: options.auth?.mode === "multi" || existsSync(path.join(settings.home, "plans.toml")),
      ...options.worker,
    };
    let pool: WorkerPool | undefined;
    const queue = postgres
      ? new PgBossQueue({ url: options.databaseUrl as string, schema: queueSchema(options.databaseSchema), logger })
      : undefined;
    if (options.concurrency > 0 || queue) {
      pool = new WorkerPool(ctx, { concurrency: options.concurrency, queue });
      await pool.start();
      closers.push(() => pool!.stop());
    }
    if (!options.http && !options.inProcessApi) {
      logger.info(
        { worker: ctx.workerId, concurrency: options.concurrency, database: database.location },
        "worker started",
      );
      return { repos, pool, database, modelStatus, close: closeAll(closers, database) };
    }
    let listener: EventListener | undefined;
    if (postgres) {
      listener = await listenForEvents(options.databaseUrl as string, hub, logger);
      closers.unshift(() => listener!.close());
    }
    const app = createApp({
      repos,
      logger,
      hub,
      metrics,
      home: settings.home,
      dispatcher: pool,
      delivery: options.delivery,
      auth: options.auth,
      localSources: shared.localSources,
      // Known for this process's own workers only; an API-only server leaves it to the workers elsewhere.
      modelStatus,
      notifier,
      staticDir: options.http?.staticDir && existsSync(options.http.staticDir) ? options.http.staticDir : undefined,
      trustProxy: options.http?.trustProxy,
      // The end-to-end tests set it: every answer of the real server is checked against its route's contract.
      checkResponses: process.env.QUIRE_CHECK_RESPONSES === "1",
    });
    closers.unshift(async () => app.forgeAnswers.close());
    if (!options.http) {
      logger.info({ database: database.location, concurrency: options.concurrency }, "in-process API ready");
      return { repos, app, pool, database, modelStatus, close: closeAll(closers, database) };
    }
    const server = await startServer({ app, host: options.http.host, port: options.http.port });
    listening.url = server.url;
    closers.unshift(() => server.close());
    logger.info(
      { url: server.url, database: database.location, concurrency: options.concurrency },
      "quire serve listening",
    );
    return { url: server.url, repos, app, pool, database, modelStatus, close: closeAll(closers, database) };
  } catch (error) {
    await closeAll(closers, database)();
    throw error;
  }
}

/** A test's scripted model client needs no key; otherwise the configured provider's key must be set. */
function workerModelStatus(options: ServiceOptions): ModelReadiness {
  const { provider, model, imageInput } = options.settings.model;
  if (options.worker?.modelClient) {
    return { ready: true, provider, model, message: null, imageInput: imageInput !== false };
  }
  return modelReadiness(options.settings.model);
}

function queueSchema(schema: string | undefined): string {
  return schema ? `${schema}_queue` : "pgboss";
}

function closeAll(closers: (() => Promise<void>)[], database: StorageDatabase): () => Promise<void> {
  return async () => {
    for (const close of closers) await close().catch(() => undefined);
    await database.close();
  };
}

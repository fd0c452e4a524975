/**
 * `quire serve`: the API, the web app and workers in one process (SQLite in Quire's home by
 * default). `quire worker`: workers only, sharing a PostgreSQL queue with a server elsewhere.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@quire/core";
import {
  assertSafeBind,
  type AuthOptions,
  type ForgesConfig,
  forgesFromConfig,
  localSourceRoots as localSourceRootsFrom,
  startService,
  type RunningService,
} from "@quire/server";
import { type Command, Option } from "commander";
import { authFromEnv } from "./serve-auth.js";
import { type Logger, pino } from "pino";
import type { ExecFlags } from "../exec/settings.js";
import { addRunOptions, nonNegativeInt, positiveInt } from "../exec/run-options.js";
import { sandboxUsable } from "../exec/sandbox-check.js";
import { resolveExecSettings } from "../exec/settings.js";

export const DEFAULT_PORT = 7420;

export type RunFlags = Omit<ExecFlags, "mode" | "json">;

interface ServeFlags extends RunFlags {
  auth: "local" | "multi";
  host: string;
  port: number;
  workers: number;
  databaseUrl?: string;
  logLevel: string;
}

interface WorkerFlags extends RunFlags {
  concurrency: number;
  databaseUrl?: string;
  logLevel: string;
}

/** The built web app, beside this package in the workspace (packages/web/dist). */
function webAppDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../web/dist");
}

export function registerServe(program: Command): void {
  const serve = program
    .command("serve")
    .description("Run Quire as a service: HTTP API, web app and workers (SQLite in Quire's home by default)")
    .option("--host <host>", "address to listen on (not loopback: needs --auth multi)", "127.0.0.1")
    .addOption(
      new Option(
        "--auth <mode>",
        "local: one user, no sign-in; multi: accounts (QUIRE_ADMIN_EMAIL/PASSWORD, QUIRE_OIDC_*)",
      )
        .choices(["local", "multi"])
        .default("local"),
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", nonNegativeInt, DEFAULT_PORT)
    .option("--workers <n>", "tasks run at once by this process (0: API only)", nonNegativeInt, 2)
    .option("--database-url <url>", "postgres://… (default DATABASE_URL; SQLite in Quire's home when unset)")
    .option("--log-level <level>", "pino log level", "info");
  addRunOptions(serve).action(async (flags: ServeFlags) => {
    const auth = authFromEnv(flags.auth, process.env);
    try {
      assertSafeBind(flags.host, auth);
    } catch (error) {
      process.stderr.write(`quire serve: ${(error as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await runService(flags, "quire serve", {
      auth,
      restrictLocalSources: auth?.mode === "multi",
      concurrency: flags.workers,
      http: {
        host: flags.host,
        port: flags.port,
        staticDir: webAppDir(),
        // Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/server.md).
        trustProxy: process.env.QUIRE_TRUST_PROXY === "1",
      },
    });
  });

  const worker = program
    .command("worker")
    .description("Run workers that take tasks from a PostgreSQL queue (DATABASE_URL) shared with `quire serve`")
    .option("--concurrency <n>", "tasks run at once", positiveInt, 2)
    .option("--database-url <url>", "postgres://… (default DATABASE_URL)")
    .option("--log-level <level>", "pino log level", "info");
  addRunOptions(worker).action(async (flags: WorkerFlags) => {
    const url = flags.databaseUrl ?? process.env.DATABASE_URL;
    if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
      process.stderr.write(
        "quire worker: needs a PostgreSQL database shared with the server: set DATABASE_URL=postgres://… or --database-url\n" +
          "  (with SQLite, `quire serve` runs its workers itself)\n",
      );
      process.exitCode = 2;
      return;
    }
    process.exitCode = await runService({ ...flags, databaseUrl: url }, "quire worker", {
      concurrency: flags.concurrency,
      // A worker has no auth mode: it holds local paths to the roots whenever some are configured.
    });
  });
}

/** The `[forges]` configuration, with a ZodError's first issue said as the key it is about. */
function forgesOrExplain(env: NodeJS.ProcessEnv, file: unknown): ForgesConfig {
  try {
    return forgesFromConfig(env, file);
  } catch (error) {
    const issue = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
    if (!issue) throw error;
    const key = ["forges", ...issue.path.map(String)].join(".");
    throw new Error(`config.toml: ${key}: ${issue.message}`, { cause: error });
  }
}

/** What shapes a service process: its workers, its HTTP side, its accounts. */
export interface ServiceShape {
  concurrency: number;
  http?: { host: string; port: number; staticDir?: string; trustProxy?: boolean };
  /** The API for this process only (`quire mcp`), without listening. */
  inProcessApi?: boolean;
  auth?: AuthOptions;
  /** Undefined: restricted when roots are configured. */
  restrictLocalSources?: boolean;
}

/**
 * Starts a service configured as `quire serve` is (flags, config.toml, environment); a number is
 * the exit code when it could not start (the reason is on stderr).
 */
export async function startConfiguredService(
  flags: RunFlags & { databaseUrl?: string; logLevel: string },
  who: string,
  shape: ServiceShape,
  logger: Logger = pino({ level: flags.logLevel }),
): Promise<RunningService | number> {
  const settings = await resolveExecSettings({ ...flags, mode: "code" });
  let localSourceRoots: string[];
  let forges: ForgesConfig;
  try {
    const config = await loadConfig(settings.home);
    localSourceRoots = localSourceRootsFrom(process.env, config.localSourceRoots);
    forges = forgesOrExplain(process.env, config.forges);
  } catch (error) {
    process.stderr.write(`${who}: ${(error as Error).message}\n`);
    return 2;
  }
  if (shape.concurrency > 0 && !sandboxUsable(settings.sandbox, who)) return 1;
  try {
    return await startService({
      settings,
      logger,
      databaseUrl: flags.databaseUrl ?? process.env.DATABASE_URL,
      databaseSchema: process.env.QUIRE_DATABASE_SCHEMA,
      ...(process.env.QUIRE_DATABASE_POOL_SIZE
        ? { databasePoolSize: Number(process.env.QUIRE_DATABASE_POOL_SIZE) }
        : {}),
      concurrency: shape.concurrency,
      http: shape.http,
      inProcessApi: shape.inProcessApi,
      auth: shape.auth,
      localSourceRoots,
      restrictLocalSources: shape.restrictLocalSources ?? localSourceRoots.length > 0,
      secretsKey: process.env.QUIRE_SECRETS_KEY,
      delivery: {
        author: {
          name: process.env.QUIRE_GIT_AUTHOR_NAME ?? "Quire",
          email: process.env.QUIRE_GIT_AUTHOR_EMAIL ?? "quire@localhost",
        },
        forges,
      },
      ...(process.env.QUIRE_LEASE_MS ? { leaseMs: Number(process.env.QUIRE_LEASE_MS) } : {}),
    });
  } catch (error) {
    process.stderr.write(`${who}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function runService(
  flags: RunFlags & { databaseUrl?: string; logLevel: string },
  who: string,
  shape: ServiceShape,
): Promise<number> {
  const service = await startConfiguredService(flags, who, shape);
  if (typeof service === "number") return service;
  if (service.modelStatus?.ready === false) process.stderr.write(`${who}: warning: ${service.modelStatus.message}\n`);
  if (service.url) process.stderr.write(`Quire is serving ${service.url} (Ctrl-C to stop)\n`);
  else process.stderr.write(`${who}: running ${shape.concurrency} at once (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stderr.write(`${who}: stopping…\n`);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await service.close();
  return 0;
}

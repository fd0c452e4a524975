/**
 * For tests: an API over a fresh test database, served on a free port, and a small SSE reader.
 * Kept free of vitest (like databases.ts beside it) so later suites can use it too.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { ModelReadiness } from "@quire/core";
import { pino } from "pino";
import type { AuthOptions } from "../src/accounts/auth-options.js";
import type { SignInLimits } from "../src/accounts/sign-in-limits.js";
import { createRepos, type DialectName, type Repos } from "../src/storage/index.js";
import { openTestDatabase } from "./databases.js";
import { createApp, type QuireApp } from "../src/http/app.js";
import { startServer } from "../src/http/server.js";
import type { DeliverySettings } from "../src/http/api-context.js";

export interface TestApi {
  url: string;
  app: QuireApp;
  repos: Repos;
  /** Quire's home of this API (clones of URL repositories live under it). */
  home: string;
  /** Every log line written, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startTestApi(
  dialect: DialectName,
  options: {
    heartbeatMs?: number;
    auth?: AuthOptions;
    plansToml?: string;
    signInLimits?: Partial<SignInLimits>;
    /** A built web app to serve at `/`. */
    staticDir?: string;
    /** Where a multi-user API accepts local repository paths (none by default). */
    localSourceRoots?: string[];
    modelStatus?: ModelReadiness;
    trustProxy?: boolean;
    /** The author and forges delivery and forge webhooks use (none configured by default). */
    delivery?: DeliverySettings;
  } = {},
): Promise<TestApi> {
  const database = await openTestDatabase(dialect);
  const repos = createRepos(database);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const home = await mkdtemp(path.join(os.tmpdir(), "quire-api-home-"));
  if (options.plansToml !== undefined) await writeFile(path.join(home, "plans.toml"), options.plansToml);
  const app = createApp({
    repos,
    logger: pino({ level: "info" }, sink),
    heartbeatMs: options.heartbeatMs,
    home,
    auth: options.auth,
    signInLimits: options.signInLimits,
    staticDir: options.staticDir,
    localSourceRoots: options.localSourceRoots,
    modelStatus: options.modelStatus,
    trustProxy: options.trustProxy,
    delivery: options.delivery,
    // Every route test checks that each response keeps its route's declared schema.
    checkResponses: true,
  });
  const server = await startServer({ app, port: 0 });
  return {
    url: server.url,
    app,
    repos,
    home,
    logs,
    close: async () => {
      app.forgeAnswers.close();
      await server.close();
      await database.cleanup();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface SseMessage {
  id?: string;
  data?: string;
  /** Set for a comment line (": heartbeat"). */
  comment?: string;
}

/** Parses an SSE body into messages as they arrive; ends when the server ends the stream. */
export async function* readSse(response: Response): AsyncGenerator<SseMessage> {
  if (!response.body) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) message.comment = line.slice(1).trim();
        else if (line.startsWith("id:")) message.id = line.slice(3).trim();
        else if (line.startsWith("data:"))
          message.data = (message.data ? message.data + "\n" : "") + line.slice(5).trim();
      }
      yield message;
    }
  }
}

export async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

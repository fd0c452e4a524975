/**
 * A real `quire serve` (SQLite, real sandbox, real git) behind the web app, with the scripted
 * model. One server serves a whole test file: each task's prompt carries a marker, e.g.
 * "[script:fix]", that picks its script, so tests do not need a server each. In multi-user mode
 * (`auth: "multi"`) the helper's own requests sign in as the bootstrap admin, with the session
 * cookie and CSRF token a browser would send.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedReply } from "@quire/testing";
import { providerEnv, tempHome } from "./quire.js";
import { startServe, type ServeProcess } from "./server.js";

/** Replies for one conversation: its turn, and which conversation of this script it is (0, 1, …). */
export type ConversationScript = (turn: number, conversation: number) => ScriptedReply;

export interface WebServer {
  url: string;
  /** The server's Quire home, where each attempt is a task (`quire apply <attempt>` reads it). */
  home: string;
  serve: ServeProcess;
  model: ScriptedModelServer;
  /** Registers a repository (in `workspace`, when given: multi-user mode). */
  addRepository(source: string, name?: string, workspace?: string): Promise<{ id: string; defaultBranch: string }>;
  /** The API as the helper's user: nobody in single-user mode, the signed-in admin in multi-user mode. */
  api<T = Record<string, unknown>>(
    pathname: string,
    method: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** Replaces `plans.toml` in the server's home (the server reads it again when it changes). */
  writePlans(toml: string): void;
  close(): Promise<void>;
}

/** By default a request picks the script its prompt names with "[script:NAME]". */
export interface WebServerOptions {
  /** Another way to pick: for screenshots, whose prompts should not show markers. */
  pick?: (requestText: string) => string | undefined;
  /** `quire serve --auth multi`; `admin` becomes QUIRE_ADMIN_EMAIL / QUIRE_ADMIN_PASSWORD. */
  auth?: { mode: "multi"; admin: { email: string; password: string } };
  /** More environment for `quire serve` (e.g. QUIRE_OIDC_ISSUER). */
  env?: Record<string, string>;
  /** Written to `plans.toml` in the server's home before it starts: plans then apply. */
  plans?: string;
  /** Written to `config.toml` in the server's home before it starts (e.g. `[outbound]` for a local git server). */
  config?: string;
}

export async function startWebServer(
  scripts: Record<string, ConversationScript>,
  options: WebServerOptions = {},
): Promise<WebServer> {
  const turns = new Map<string, number>();
  const conversations = new Map<string, string[]>();
  const byMarker = (text: string): string | undefined =>
    Object.keys(scripts).find((candidate) => text.includes(`[script:${candidate}]`));
  const pick = options.pick ?? byMarker;
  const model = await startScriptedModelServer((request) => {
    const key = (request.body as { prompt_cache_key?: string }).prompt_cache_key ?? "default";
    const name = pick(request.rawText);
    if (!name || !scripts[name]) return { text: "No script for this prompt." };
    const seen = conversations.get(name) ?? [];
    if (!seen.includes(key)) seen.push(key);
    conversations.set(name, seen);
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);
    return scripts[name]!(turn, seen.indexOf(key));
  });
  const home = tempHome();
  const writePlans = (toml: string): void => writeFileSync(path.join(home, "plans.toml"), toml);
  if (options.plans !== undefined) writePlans(options.plans);
  if (options.config !== undefined) writeFileSync(path.join(home, "config.toml"), options.config);
  const auth = options.auth;
  const serve = await startServe({
    home,
    env: {
      ...providerEnv("openai", model.url),
      ...(auth ? { QUIRE_ADMIN_EMAIL: auth.admin.email, QUIRE_ADMIN_PASSWORD: auth.admin.password } : {}),
      // Test repositories are made in the temporary directory: a multi-user server must allow it
      // as a root of local sources (tests of that rule set their own, or "" for none).
      ...(auth ? { QUIRE_LOCAL_SOURCE_ROOTS: os.tmpdir() } : {}),
      // Every answer the web app gets is checked against its route's declared schema (docs/api.md).
      QUIRE_CHECK_RESPONSES: "1",
      ...options.env,
    },
    args: ["-m", "scripted-model", "--workers", "4", "--log-level", "warn", ...(auth ? ["--auth", auth.mode] : [])],
  });
  const session = auth ? await signIn(serve.url, auth.admin) : undefined;
  const call: WebServer["api"] = (pathname, method, body, headers) =>
    request(`${serve.url}${pathname}`, method, body, { ...session?.headers(method), ...headers });
  return {
    url: serve.url,
    home,
    serve,
    model,
    api: call,
    writePlans,
    addRepository: async (source, name = "tiny", workspace) => {
      const created = await call<{ repository: { id: string; defaultBranch: string } }>(
        "/api/repositories",
        "POST",
        { name, source },
        workspace ? { "x-quire-workspace": workspace } : {},
      );
      if (created.status !== 201) throw new Error(`could not add ${source}: ${JSON.stringify(created.body)}`);
      return created.body.repository;
    },
    close: async () => {
      await serve.stop();
      await model.close();
    },
  };
}

/** Signs in as a browser would: the session cookie, and the CSRF token for unsafe requests. */
async function signIn(url: string, user: { email: string; password: string }) {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(user),
  });
  if (response.status !== 200) throw new Error(`could not sign in as ${user.email}: ${await response.text()}`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  return {
    headers: (method: string): Record<string, string> => ({
      cookie,
      ...(method === "GET" ? {} : { "x-csrf-token": csrfToken }),
    }),
  };
}

async function request<T>(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: CSV, diffs.
  }
  return { status: response.status, body: parsed as T };
}

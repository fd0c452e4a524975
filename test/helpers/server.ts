/** Runs `quire serve` / `quire worker` as real processes, and talks to the API like a client would. */
import { type ChildProcess, spawn } from "node:child_process";
import type { ScriptedReply, RecordedRequest } from "@quire/testing";
import { quireBin, quireEnv } from "./quire.js";

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, no goodbye. */
  kill(): Promise<void>;
}

export function spawnQuire(
  args: string[],
  options: { home: string; env?: Record<string, string>; cwd?: string },
): { child: ChildProcess; stderr: () => string; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [quireBin, ...args], {
    cwd: options.cwd ?? options.home,
    env: quireEnv(options.home, options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, stdout: () => stdout, exited };
}

/** Starts `quire serve --port 0` and resolves once it says where it listens. */
export async function startServe(options: {
  home: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<ServeProcess> {
  const run = spawnQuire(["serve", "--port", "0", ...(options.args ?? [])], options);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`quire serve did not start:\n${run.stderr()}`)), 30_000);
    run.child.stderr?.on("data", () => {
      const match = /Quire is serving (http:\/\/\S+)/.exec(run.stderr());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void run.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`quire serve exited with ${code}:\n${run.stderr()}`));
    });
  });
  return {
    url,
    child: run.child,
    stderr: run.stderr,
    stdout: run.stdout,
    stop: async () => {
      run.child.kill("SIGTERM");
      return run.exited;
    },
    kill: async () => {
      run.child.kill("SIGKILL");
      await run.exited;
    },
  };
}

export async function api<T = Record<string, unknown>>(
  url: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Diffs and patches are text.
  }
  return { status: response.status, body: parsed as T };
}

export interface StreamedEvent {
  id: number;
  attemptId: string | null;
  event: { type: string; [key: string]: unknown };
}

/** Reads the task's SSE stream until the server ends it (or `until` says stop); returns what came. */
export async function readTaskEvents(
  url: string,
  taskId: string,
  options: { lastEventId?: number; until?: (event: StreamedEvent) => boolean; timeoutMs?: number } = {},
): Promise<StreamedEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 120_000);
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (options.lastEventId !== undefined) headers["last-event-id"] = String(options.lastEventId);
  const events: StreamedEvent[] = [];
  try {
    const response = await fetch(`${url}/api/tasks/${taskId}/events`, { headers, signal: controller.signal });
    if (!response.body) throw new Error(`no event stream: ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (id === undefined || data === undefined) continue;
        const stored = JSON.parse(data) as { attemptId: string | null; event: StreamedEvent["event"] };
        const streamed = { id: Number(id), attemptId: stored.attemptId, event: stored.event };
        events.push(streamed);
        if (options.until?.(streamed)) {
          controller.abort();
          return events;
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    if (!options.until) throw new Error(`event stream of ${taskId} did not end in time; got ${events.length} events`);
  } finally {
    clearTimeout(timer);
  }
  return events;
}

/**
 * A script for several conversations at once: each conversation (told apart by its
 * prompt_cache_key, the attempt's id) gets the replies in order, follow-ups included.
 */
export function perConversation(
  replies: (key: string, turn: number, request: RecordedRequest) => ScriptedReply,
): (request: RecordedRequest) => ScriptedReply {
  const turns = new Map<string, number>();
  return (request) => {
    const body = request.body as { prompt_cache_key?: string; metadata?: { user_id?: string } };
    const key = body.prompt_cache_key ?? "default";
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);
    return replies(key, turn, request);
  };
}

/** Registers `source` as a repository and creates one task on its default branch; the task's id. */
export async function createTaskOnSource(
  serverUrl: string,
  source: string,
  task: { mode: "code" | "ask"; prompt: string },
): Promise<string> {
  const registered = await api<{ repository: { id: string; defaultBranch: string } }>(
    `${serverUrl}/api/repositories`,
    "POST",
    { name: "tiny", source },
  );
  if (registered.status !== 201) throw new Error(`registering ${source}: ${JSON.stringify(registered.body)}`);
  const created = await api<{ task: { id: string } }>(`${serverUrl}/api/tasks`, "POST", {
    repo: registered.body.repository.id,
    ref: registered.body.repository.defaultBranch,
    ...task,
  });
  if (created.status !== 201) throw new Error(`creating the task: ${JSON.stringify(created.body)}`);
  return created.body.task.id;
}

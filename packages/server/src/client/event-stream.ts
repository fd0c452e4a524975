/**
 * Following a task's events over `GET /api/tasks/:id/events` (Server-Sent Events, docs/server.md)
 * from a client: each event once, in order, across dropped connections. A reconnect sends
 * `Last-Event-ID` with the last seq received, so the server resumes with no gap and no duplicate.
 */
import type { QuireEvent } from "@quire/core";
import { ApiError, type QuireApiClient } from "./api-client.js";

export interface StreamedTaskEvent {
  seq: number;
  attemptId: string | null;
  event: QuireEvent;
}

export interface FollowOptions {
  /** Resume after this seq (0: from the first event). */
  after?: number;
  /** Stop once this seq has been passed on (the history up to now, for `quire logs` without --follow). */
  upTo?: number;
  signal?: AbortSignal;
  /** Pause before reconnecting after a dropped stream; grows to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Reconnections in a row that may fail before giving up. */
  maxFailures?: number;
  /** Told of each reconnection (the readable log says so). */
  onReconnect?: (after: number, reason: string) => void;
}

export interface FollowResult {
  /** The last seq passed on. */
  lastSeq: number;
  /** The task's status when the stream ended. */
  status: string;
}

const ACTIVE = new Set(["queued", "preparing", "running"]);
/** One event's line: a final event carries at most 1 MiB of diff (event-diff.ts), with room for JSON escaping. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

/**
 * Passes every event of the task to `onEvent` until the task has ended and its last event was
 * passed on (or `upTo` is reached). A stream the server ends while the task is still active (a
 * follow-up reopened it, a proxy cut it) is resumed from the last seq.
 */
export async function followTaskEvents(
  client: QuireApiClient,
  taskId: string,
  onEvent: (event: StreamedTaskEvent) => void,
  options: FollowOptions = {},
): Promise<FollowResult> {
  let after = options.after ?? 0;
  let failures = 0;
  let pause = options.retryMs ?? 500;
  const id = encodeURIComponent(taskId);
  for (;;) {
    if (options.upTo !== undefined && after >= options.upTo) return { lastSeq: after, status: "" };
    let reason = "the stream ended";
    let received = false;
    try {
      const response = await client.send("GET", `/api/tasks/${id}/events`, undefined, {
        headers: { accept: "text/event-stream", ...(after > 0 ? { "last-event-id": String(after) } : {}) },
        signal: options.signal,
      });
      for await (const event of sseEvents(response)) {
        if (event.seq <= after) continue;
        after = event.seq;
        received = true;
        failures = 0;
        pause = options.retryMs ?? 500;
        onEvent(event);
        if (options.upTo !== undefined && after >= options.upTo) return { lastSeq: after, status: "" };
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // The server's answer (404, 401) will not change by asking again.
      if (error instanceof ApiError && error.status !== 0 && error.status < 500) throw error;
      reason = (error as Error).message;
      failures += 1;
    }
    // Ended: done when the task has, and nothing of it is left unread.
    const task = await client
      .json<{ task: { status: string; lastEventSeq: number } }>("GET", `/api/tasks/${id}`)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status !== 0 && error.status < 500) throw error;
        failures += 1;
        return null;
      });
    if (task && !ACTIVE.has(task.task.status) && after >= task.task.lastEventSeq) {
      return { lastSeq: after, status: task.task.status };
    }
    if (failures > (options.maxFailures ?? 30)) throw new Error(`lost the event stream of task ${taskId}: ${reason}`);
    // A connection that brought nothing (a proxy closing it at once) waits before the next one too.
    if (failures > 0 || !received) {
      if (failures > 0) options.onReconnect?.(after, reason);
      await sleep(pause, options.signal);
      pause = Math.min(pause * 2, options.maxRetryMs ?? 5_000);
    }
  }
}

/** The events of one SSE response, as they arrive. */
async function* sseEvents(response: Response): AsyncGenerator<StreamedTaskEvent> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) yield event;
    }
    if (buffer.length > MAX_EVENT_BYTES) throw new Error("an event of the stream is larger than 16 MiB");
  }
}

function parseBlock(block: string): StreamedTaskEvent | null {
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    if (field === "data") data.push(value);
  }
  if (id === undefined || data.length === 0) return null;
  const stored = JSON.parse(data.join("\n")) as { seq?: number; attemptId: string | null; event: QuireEvent };
  return { seq: stored.seq ?? Number(id), attemptId: stored.attemptId, event: stored.event };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

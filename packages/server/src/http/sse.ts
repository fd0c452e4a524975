/**
 * `GET /api/tasks/:id/events`: the task's events as Server-Sent Events. History first, then live;
 * each event's `id:` is its storage seq, so `Last-Event-ID` (or `?after=`) resumes exactly.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Logger } from "pino";
import { ACTIVE_STATUSES, type Repos, type StoredEvent, type Task } from "../storage/index.js";
import { HttpError } from "../errors.js";
import { parseOr400 } from "./errors.js";
import type { EventHub } from "../events/event-hub.js";
import { eventCursor } from "@quire/protocol";

export interface SseOptions {
  repos: Repos;
  hub: EventHub;
  logger: Logger;
  heartbeatMs: number;
}

/** Rows read per query while catching up. */
const PAGE = 500;

/**
 * The task's final event. A `task.completed` without an attempt is the task's own; with one
 * attempt the attempt's `task.completed` is also the task's. With several attempts, whoever
 * finishes the task appends the task-level one (attemptId null) after every attempt's.
 */
export function isFinalEvent(stored: StoredEvent, task: Pick<Task, "attemptsRequested">): boolean {
  if (stored.event.type !== "task.completed") return false;
  return stored.attemptId === null || task.attemptsRequested === 1;
}

export async function streamTaskEvents(c: Context, options: SseOptions): Promise<Response> {
  const { repos, hub, logger, heartbeatMs } = options;
  const taskId = c.req.param("id") ?? "";
  const header = c.req.header("last-event-id");
  const query = c.req.query("after");
  const cursor = header ?? query;
  let after = cursor === undefined ? 0 : parseOr400(eventCursor, cursor, header ? "Last-Event-ID" : "after");
  const task = await repos.tasks.get(taskId);
  if (!task) throw new HttpError(404, `no task ${taskId}`);

  // Subscribed before the first read: a publish during any later read is remembered.
  const subscription = hub.subscribe(taskId);
  const closed = new AbortController();
  return streamSSE(
    c,
    async (stream) => {
      stream.onAbort(() => closed.abort());
      let ended = false;
      const send = async (stored: StoredEvent): Promise<void> => {
        // No `event:` name: EventSource.onmessage then sees every event; the type is in the data.
        await stream.writeSSE({ id: String(stored.seq), data: JSON.stringify(stored) });
        after = stored.seq;
        if (isFinalEvent(stored, task)) ended = true;
        else if (ended && stored.event.type !== "task.completed") ended = false;
      };
      const readStorage = async (): Promise<void> => {
        for (;;) {
          const page = await repos.events.eventsAfter(taskId, after, PAGE);
          for (const stored of page) await send(stored);
          if (page.length < PAGE || closed.signal.aborted) return;
        }
      };
      try {
        // History first.
        let behind = true;
        for (;;) {
          if (behind) await readStorage();
          // A follow-up may have reopened the task after its final event: then the stream goes on.
          if (ended && !ACTIVE_STATUSES.includes((await repos.tasks.get(taskId))?.status ?? "completed")) return;
          if (closed.signal.aborted) return;
          const published = await subscription.wait(heartbeatMs, closed.signal);
          if (closed.signal.aborted) return;
          const { events, announcedUpTo } = subscription.drain();
          // Rows handed over by an append in this process go out at once when they continue
          // exactly from the last one sent; older ones were sent already.
          for (const stored of events) if (stored.seq === after + 1) await send(stored);
          // Behind what was announced (a gap, or another process's append), or idle for a whole
          // heartbeat (a notice may have been lost): storage says what is missing.
          behind = !published || announcedUpTo > after;
          // A comment line keeps proxies from timing the connection out; clients ignore it.
          if (!published) await stream.write(": heartbeat\n\n");
        }
      } finally {
        subscription.close();
      }
    },
    async (error) => {
      subscription.close();
      logger.error({ err: error, taskId }, "event stream failed");
    },
  );
}

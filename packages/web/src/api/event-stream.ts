/**
 * A task's live event stream that survives drops: it resumes with `Last-Event-ID` = the last
 * seq it delivered, and never delivers a seq twice (the server's seqs are gapless and ordered,
 * so "not above the last one" is exactly "already seen").
 */
import { SseParser } from "../lib/sse";
import { api, taskPath } from "./client";
import { announceUnauthenticated, credentialHeaders } from "./credentials";
import { ACTIVE_STATUSES } from "@quire/protocol/constants";
import type { StoredEvent } from "@quire/protocol";

export type StreamState = "connecting" | "live" | "reconnecting" | "ended";

export interface TaskStreamHandlers {
  onEvents(events: StoredEvent[]): void;
  onState(state: StreamState): void;
}

export interface TaskStream {
  /** Start again after the stream ended (a follow-up reopened the task). No-op while open. */
  resume(): void;
  close(): void;
}

const RETRY_MS = [250, 500, 1000, 2000, 4000];

export function openTaskStream(taskId: string, handlers: TaskStreamHandlers): TaskStream {
  const closed = new AbortController();
  let lastSeq = 0;
  let running = false;

  const deliver = (events: StoredEvent[]): void => {
    const fresh = events.filter((event) => event.seq > lastSeq);
    if (fresh.length === 0) return;
    lastSeq = fresh[fresh.length - 1]!.seq;
    handlers.onEvents(fresh);
  };

  /** One connection: reads until the server ends it or it drops. */
  const readOnce = async (): Promise<void> => {
    const headers: Record<string, string> = { ...credentialHeaders("GET"), accept: "text/event-stream" };
    if (lastSeq > 0) headers["last-event-id"] = String(lastSeq);
    const response = await fetch(`${taskPath(taskId)}/events`, { headers, signal: closed.signal, cache: "no-store" });
    if (response.status === 401) announceUnauthenticated();
    // A 4xx will not change by asking again (no such task, no access): stop; a 5xx may pass.
    if (response.status >= 400 && response.status < 500) throw new GiveUp(`event stream: HTTP ${response.status}`);
    if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
    handlers.onState("live");
    // Events are handed over per network chunk, so a replayed history renders once, not per event.
    let batch: StoredEvent[] = [];
    const parser = new SseParser((message) => batch.push(JSON.parse(message.data) as StoredEvent));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(value);
      if (batch.length > 0) {
        deliver(batch);
        batch = [];
      }
    }
  };

  /** The server ends the stream when the task ends; anything short of its last event was a drop. */
  const finished = async (): Promise<boolean> => {
    const task = await api.task(taskId);
    return !ACTIVE_STATUSES.includes(task.status) && lastSeq >= task.lastEventSeq;
  };

  const run = async (): Promise<void> => {
    running = true;
    let failures = 0;
    handlers.onState("connecting");
    while (!closed.signal.aborted) {
      try {
        await readOnce();
        failures = 0;
        if (await finished()) break;
      } catch (error) {
        if (closed.signal.aborted || error instanceof GiveUp) break;
        failures += 1;
      }
      handlers.onState("reconnecting");
      await sleep(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!, closed.signal);
    }
    running = false;
    if (!closed.signal.aborted) handlers.onState("ended");
  };

  void run();
  return {
    resume: () => {
      if (!running && !closed.signal.aborted) void run();
    },
    close: () => closed.abort(),
  };
}

class GiveUp extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

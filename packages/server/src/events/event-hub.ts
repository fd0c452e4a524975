/**
 * Live delivery of task events inside one server process. Storage is the single source of
 * truth and the seqs decide order: an append made in this process publishes its stored rows,
 * which a stream writes straight away when they continue exactly where it is; anything else
 * (a gap, or an append announced by another process with only its last seq) makes the stream
 * read `eventsAfter` from its last seq. So the hub saves reads, never decides what is sent.
 */
import type { QuireEvent } from "@quire/core";
import type { Repos, StoredEvent } from "../storage/index.js";
import { fromJson, timestamp, toJson } from "../storage/values.js";

/** What a publish says about a task's new events. */
export interface Publication {
  /** The stored rows, when the append happened in this process. */
  events?: readonly StoredEvent[];
  /** The highest seq now stored; unknown means "read storage to find out". */
  upTo?: number;
}

/** What a stream learnt since it last asked. */
export interface Drained {
  /** Rows published with their content, oldest first (possibly out of order across appenders). */
  events: StoredEvent[];
  /** The highest seq announced; a stream behind it must read storage. */
  announcedUpTo: number;
}

/** One stream's interest in one task. Created before the first read, so no publish is missed. */
export interface HubSubscription {
  /** Resolves true when the task was published since the last wait, false on timeout or abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Takes what was published since the last call. */
  drain(): Drained;
  close(): void;
}

/**
 * Published rows a slow stream may hold before they are dropped (it then reads storage, which
 * has them all): bounds the memory one stalled client can pin.
 */
const MAX_BUFFERED = 2_000;

export class EventHub {
  private readonly subscribers = new Map<string, Set<(publication: Publication) => void>>();

  subscribe(taskId: string): HubSubscription {
    // Set by a publish that happens while the stream is busy reading or writing: the next wait
    // returns at once instead of sleeping through it.
    let pending = false;
    let buffered: StoredEvent[] = [];
    let announcedUpTo = 0;
    let wake: (() => void) | undefined;
    const notify = (publication: Publication): void => {
      pending = true;
      const events = publication.events ?? [];
      const upTo = publication.upTo ?? events.at(-1)?.seq ?? Number.POSITIVE_INFINITY;
      announcedUpTo = Math.max(announcedUpTo, upTo);
      if (buffered.length + events.length <= MAX_BUFFERED) buffered.push(...events);
      else buffered = [];
      wake?.();
    };
    const set = this.subscribers.get(taskId) ?? new Set();
    set.add(notify);
    this.subscribers.set(taskId, set);
    return {
      wait: (timeoutMs, signal) => {
        if (pending) {
          pending = false;
          return Promise.resolve(true);
        }
        return new Promise<boolean>((resolve) => {
          const finish = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", finish);
            wake = undefined;
            const published = pending;
            pending = false;
            resolve(published);
          };
          const timer = setTimeout(finish, timeoutMs);
          signal?.addEventListener("abort", finish);
          wake = finish;
          if (signal?.aborted) finish();
        });
      },
      drain: () => {
        const drained = { events: buffered.sort((a, b) => a.seq - b.seq), announcedUpTo };
        buffered = [];
        return drained;
      },
      close: () => {
        set.delete(notify);
        if (set.size === 0 && this.subscribers.get(taskId) === set) this.subscribers.delete(taskId);
        wake?.();
      },
    };
  }

  publish(taskId: string, publication: Publication = {}): void {
    for (const notify of this.subscribers.get(taskId) ?? []) notify(publication);
  }

  /** Streams currently listening to the task (for tests and metrics). */
  listeners(taskId: string): number {
    return this.subscribers.get(taskId)?.size ?? 0;
  }
}

/**
 * Stores the events (storage assigns their seqs), then hands the stored rows to the task's live
 * streams in this process. Other processes hear of the append from the database (NOTIFY on
 * PostgreSQL) and read it from storage.
 */
export async function appendAndPublish(
  repos: Pick<Repos, "events">,
  hub: EventHub,
  taskId: string,
  attemptId: string | null,
  events: readonly QuireEvent[],
  emittedAt: Date = new Date(),
): Promise<number[]> {
  const seqs = await repos.events.append(taskId, attemptId, events, emittedAt);
  if (seqs.length === 0) return seqs;
  const createdAt = timestamp(emittedAt);
  // Exactly the row as storage gives it back (same keys, same JSON), so a stream sends the same
  // bytes whether it read the event or was handed it.
  const stored = seqs.map((seq, index): StoredEvent => ({
    taskId,
    attemptId,
    seq,
    event: fromJson<QuireEvent>(toJson(events[index])),
    createdAt,
  }));
  hub.publish(taskId, { events: stored });
  return seqs;
}

/**
 * Live delivery of task events inside one server process. Storage is the single source of
 * truth: the hub only says "task X has new events"; each SSE stream then reads `eventsAfter`
 * from its last seq, so ordering and no-duplicates come from the seqs, never from the hub.
 */
import type { QuireEvent } from "@quire/core";
import type { Repos } from "../storage/index.js";

/** One stream's interest in one task. Created before the first read, so no publish is missed. */
export interface HubSubscription {
  /** Resolves true when the task was published since the last wait, false on timeout or abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

export class EventHub {
  /**
   * Set when the database announces every append (PostgreSQL NOTIFY, heard by this process too):
   * appends then do not also wake streams themselves, which would make each stream read twice.
   */
  appendsAnnouncedByDatabase = false;

  private readonly subscribers = new Map<string, Set<() => void>>();

  subscribe(taskId: string): HubSubscription {
    // Set by a publish that happens while the stream is busy reading or writing: the next wait
    // returns at once instead of sleeping through it.
    let pending = false;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      pending = true;
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
      close: () => {
        set.delete(notify);
        if (set.size === 0 && this.subscribers.get(taskId) === set) this.subscribers.delete(taskId);
        wake?.();
      },
    };
  }

  publish(taskId: string): void {
    for (const notify of this.subscribers.get(taskId) ?? []) notify();
  }

  /** Streams currently listening to the task (for tests and metrics). */
  listeners(taskId: string): number {
    return this.subscribers.get(taskId)?.size ?? 0;
  }
}

/** Stores the events (storage assigns their seqs), then wakes the task's live streams. */
export async function appendAndPublish(
  repos: Pick<Repos, "events">,
  hub: EventHub,
  taskId: string,
  attemptId: string | null,
  events: readonly QuireEvent[],
  emittedAt: Date = new Date(),
): Promise<number[]> {
  const seqs = await repos.events.append(taskId, attemptId, events, emittedAt);
  if (seqs.length > 0 && !hub.appendsAnnouncedByDatabase) hub.publish(taskId);
  return seqs;
}

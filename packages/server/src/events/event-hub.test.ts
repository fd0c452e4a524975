import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../storage/index.js";
import { EventHub } from "./event-hub.js";

describe("EventHub", () => {
  it("remembers a publish made while the stream was busy, so the next wait returns at once", async () => {
    const hub = new EventHub();
    const subscription = hub.subscribe("t1");
    hub.publish("t1");
    const started = performance.now();
    expect(await subscription.wait(10_000)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Consumed: the next wait times out.
    expect(await subscription.wait(20)).toBe(false);
    subscription.close();
  });

  it("wakes only the published task's waiters, stops on abort and forgets closed subscriptions", async () => {
    const hub = new EventHub();
    const mine = hub.subscribe("t1");
    const other = hub.subscribe("t2");
    const waiting = mine.wait(10_000);
    const otherWaiting = other.wait(50);
    hub.publish("t1");
    expect(await waiting).toBe(true);
    expect(await otherWaiting).toBe(false);
    const abort = new AbortController();
    const aborted = mine.wait(10_000, abort.signal);
    abort.abort();
    expect(await aborted).toBe(false);
    expect(hub.listeners("t1")).toBe(1);
    mine.close();
    other.close();
    expect(hub.listeners("t1")).toBe(0);
    expect(hub.listeners("t2")).toBe(0);
  });

  it("hands over published rows in seq order with the highest seq announced, and bounds what a slow stream holds", () => {
    const hub = new EventHub();
    const subscription = hub.subscribe("t1");
    const row = (seq: number): StoredEvent => ({
      taskId: "t1",
      attemptId: null,
      seq,
      event: { type: "error", message: String(seq) },
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    hub.publish("t1", { events: [row(3), row(4)] });
    hub.publish("t1", { events: [row(2)] });
    hub.publish("t1", { upTo: 7 });
    const drained = subscription.drain();
    expect(drained.events.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(drained.announcedUpTo).toBe(7);
    expect(subscription.drain().events).toEqual([]);

    // A publish that says nothing of its seqs means "read storage".
    hub.publish("t1");
    expect(subscription.drain().announcedUpTo).toBe(Number.POSITIVE_INFINITY);

    // Too much for one stalled stream: the rows are dropped, the announcement is kept.
    const other = hub.subscribe("t2");
    const many = Array.from({ length: 2_500 }, (_, index) => ({ ...row(index + 1), taskId: "t2" }));
    hub.publish("t2", { events: many });
    const overflowed = other.drain();
    expect(overflowed.events).toEqual([]);
    expect(overflowed.announcedUpTo).toBe(2_500);
    subscription.close();
    other.close();
  });
});

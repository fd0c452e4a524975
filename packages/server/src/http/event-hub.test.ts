import { describe, expect, it } from "vitest";
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
});

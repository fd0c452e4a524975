import { describe, expect, it } from "vitest";
import { concurrencyGate } from "./gate.js";

describe("concurrencyGate", () => {
  it("runs at most `limit` at once, the others in order, and frees a slot when one fails", async () => {
    const gate = concurrencyGate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      [0, 1, 2, 3, 4].map((n) =>
        gate(async () => {
          started.push(n);
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          if (n === 1) throw new Error("boom");
          return n;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
  });
});

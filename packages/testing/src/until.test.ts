import { describe, expect, it } from "vitest";
import { until } from "./until.js";

describe("until", () => {
  it("returns the first value that is not undefined, even a falsy one", async () => {
    let calls = 0;
    expect(await until(() => (++calls < 3 ? undefined : 0), "the third call")).toBe(0);
    expect(calls).toBe(3);
  });

  it("fails past its time, naming what it waited for", async () => {
    await expect(until(() => undefined, "a reply", 120)).rejects.toThrow("timed out after 120 ms waiting for a reply");
  });
});

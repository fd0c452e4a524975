import { describe, expect, it } from "vitest";
import { dayString, defaultRange, usageQueryOf } from "./usage-range";

describe("the usage table's period", () => {
  it("defaults to the last 30 days, today included", () => {
    const range = defaultRange(new Date(2026, 2, 2, 15, 30));
    expect(range).toEqual({ from: "2026-02-01", to: "2026-03-02", groupBy: "task" });
  });

  it("asks the server for whole local days: the last one up to its end", () => {
    const query = usageQueryOf({ from: "2026-03-01", to: "2026-03-02", groupBy: "model" });
    expect(query.groupBy).toBe("model");
    expect(new Date(query.from!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(new Date(query.to!).getTime()).toBe(new Date(2026, 2, 3).getTime());
  });

  it("leaves out a day that is not filled in, so the server's default applies", () => {
    expect(usageQueryOf({ from: "", to: "2026-03-02", groupBy: "task" }).from).toBeUndefined();
    expect(dayString(new Date(2026, 0, 5))).toBe("2026-01-05");
  });
});

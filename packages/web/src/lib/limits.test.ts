import { describe, expect, it } from "vitest";
import { formatWait, limitLabel, secondsUntil } from "./limits";

describe("formatWait", () => {
  it("says a wait at the precision that matters for its size, rounding up", () => {
    expect(formatWait(0)).toBe("0 s");
    expect(formatWait(44.2)).toBe("45 s");
    expect(formatWait(60)).toBe("1 min");
    expect(formatWait(61)).toBe("2 min");
    expect(formatWait(3600)).toBe("1 h");
    expect(formatWait(2 * 3600 + 10 * 60)).toBe("2 h 10 min");
    expect(formatWait(2 * 3600 + 9 * 60 + 1)).toBe("2 h 10 min");
    expect(formatWait(5 * 3600 - 30)).toBe("5 h");
    expect(formatWait(3 * 86400 + 4 * 3600 + 5)).toBe("3 d 4 h");
    expect(formatWait(-5)).toBe("0 s");
  });
});

describe("limits", () => {
  it("names the plan's limits in words, and keeps an unknown one's name", () => {
    expect(limitLabel("tasks_per_5h")).toBe("Tasks in 5 hours");
    expect(limitLabel("sandbox_minutes_per_week")).toBe("Sandbox minutes in 7 days");
    expect(limitLabel("gpu_hours")).toBe("gpu_hours");
  });

  it("counts seconds until a time, never below zero", () => {
    const now = Date.parse("2026-03-02T12:00:00Z");
    expect(secondsUntil("2026-03-02T14:10:00Z", now)).toBe(7800);
    expect(secondsUntil("2026-03-02T11:00:00Z", now)).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { formatCost, plural } from "./format";

describe("formatting", () => {
  it("shows every cost in one form: dollars and cents", () => {
    expect(formatCost(2)).toBe("$2.00");
    expect(formatCost(0.374)).toBe("$0.37");
    expect(formatCost(0.012)).toBe("$0.01");
    expect(formatCost(0.0042)).toBe("<$0.01");
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(1234.5)).toBe("$1234.50");
  });

  it("says one of a thing in the singular", () => {
    expect(plural(1, "line")).toBe("1 line");
    expect(plural(0, "line")).toBe("0 lines");
    expect(plural(2, "attempt")).toBe("2 attempts");
  });
});

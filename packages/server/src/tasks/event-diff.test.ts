import { describe, expect, it } from "vitest";
import { attemptForJson, diffForEvent } from "./event-diff.js";

describe("diffForEvent", () => {
  it("keeps a diff within the bound as it is", () => {
    expect(diffForEvent("diff --git a/x b/x\n+é\n", 100)).toEqual({ diff: "diff --git a/x b/x\n+é\n" });
  });

  it("cuts a larger one at a line within the bound, says so and gives the full size in bytes", () => {
    const diff = Array.from({ length: 100 }, (_, i) => `+line é ${i}`).join("\n");
    const bytes = Buffer.byteLength(diff);
    const bounded = diffForEvent(diff, 200);
    expect(bounded.diff_truncated).toBe(true);
    expect(bounded.diff_bytes).toBe(bytes);
    const [head, marker] = bounded.diff.split("… diff truncated");
    expect(Buffer.byteLength(head ?? "")).toBeLessThanOrEqual(200);
    expect(head?.endsWith("\n")).toBe(true);
    expect(diff.startsWith(head ?? "-")).toBe(true);
    expect(marker).toContain(`${bytes} bytes in all`);
  });

  it("bounds an attempt's diff in JSON and leaves a small one alone", () => {
    const small = { id: "a", diff: "+x\n" };
    expect(attemptForJson(small)).toBe(small);
    const big = attemptForJson({ id: "b", diff: "+x\n".repeat(1024 * 1024) });
    expect(big).toMatchObject({ id: "b", diffTruncated: true, diffBytes: 3 * 1024 * 1024 });
    expect(big.diff?.length).toBeLessThan(1024 * 1024 + 1024);
  });
});

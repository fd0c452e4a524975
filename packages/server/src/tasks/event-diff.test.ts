import { describe, expect, it } from "vitest";
import { attemptForJson, diffForEvent, storedDiffForEvent } from "./event-diff.js";

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
    expect(attemptForJson(small)).toEqual(small);
    const big = attemptForJson({ id: "b", diff: "+x\n".repeat(1024 * 1024) });
    expect(big).toMatchObject({ id: "b", diffTruncated: true, diffBytes: 3 * 1024 * 1024 });
    expect(big.diff?.length).toBeLessThan(1024 * 1024 + 1024);
  });

  it("answers a diff kept in the blob store with its stored head and size, and hides where it is", () => {
    const head = "+x\n… diff truncated: 5000000 bytes in all, 3 shown; download the whole diff …\n";
    const stored = { id: "c", diff: head, diffBlob: "a".repeat(64), diffBytes: 5_000_000 };
    expect(attemptForJson(stored)).toEqual({ id: "c", diff: head, diffTruncated: true, diffBytes: 5_000_000 });
    expect(storedDiffForEvent(stored)).toEqual({ diff: head, diff_truncated: true, diff_bytes: 5_000_000 });
    expect(attemptForJson({ id: "d", diff: "+y\n", diffBlob: null, diffBytes: null })).toEqual({
      id: "d",
      diff: "+y\n",
    });
  });
});

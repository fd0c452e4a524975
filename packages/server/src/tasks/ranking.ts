/** Best-of-N: which attempt a reviewer should look at first. */
import type { Attempt } from "../storage/index.js";

const VERIFICATION_ORDER: Record<string, number> = { verified: 0, skipped: 1, none: 1, checks_failed: 2 };

/**
 * Completed attempts first; among them verified before unverified before failed checks, then the
 * smaller diff (lines added + removed), then the earlier attempt. Others keep their number order.
 */
export function rankAttempts(attempts: readonly Attempt[]): Attempt[] {
  return [...attempts].sort((a, b) => {
    const done = Number(b.status === "completed") - Number(a.status === "completed");
    if (done !== 0) return done;
    const byCheck =
      (VERIFICATION_ORDER[a.verification ?? "none"] ?? 1) - (VERIFICATION_ORDER[b.verification ?? "none"] ?? 1);
    if (byCheck !== 0) return byCheck;
    const bySize = diffSize(a) - diffSize(b);
    if (bySize !== 0) return bySize;
    return a.number - b.number;
  });
}

function diffSize(attempt: Attempt): number {
  if (attempt.status !== "completed") return 0;
  const stats = attempt.diffStats;
  return stats ? stats.insertions + stats.deletions : 0;
}

import type { TaskStatus, VerificationStatus } from "../api/types";
import { shownStatus } from "../lib/status";

export function StatusBadge({ status, verification }: { status: TaskStatus; verification: VerificationStatus | null }) {
  const shown = shownStatus(status, verification);
  return (
    <span className={`badge tone-${shown.tone}`} data-status={status}>
      {shown.tone === "active" && <span className="spinner" aria-hidden="true" />}
      {shown.label}
    </span>
  );
}

export function DiffStatsText({ insertions, deletions }: { insertions: number; deletions: number }) {
  return (
    <span className="diff-stats" aria-label={`${insertions} lines added, ${deletions} lines removed`}>
      <span className="plus">+{insertions}</span> <span className="minus">−{deletions}</span>
    </span>
  );
}

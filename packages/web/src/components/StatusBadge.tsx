import type { TaskMode, TaskStatus, VerificationStatus } from "@quire/protocol";
import { plural } from "../lib/format";
import { shownStatus } from "../lib/status";

interface BadgeProps {
  status: TaskStatus;
  verification: VerificationStatus | null;
  mode: TaskMode;
}

export function StatusBadge({ status, verification, mode }: BadgeProps) {
  const shown = shownStatus(status, verification, mode);
  return (
    <span className={`badge tone-${shown.tone}`} data-status={status}>
      {shown.tone === "active" && <span className="spinner" aria-hidden="true" />}
      {shown.label}
    </span>
  );
}

export function DiffStatsText({ insertions, deletions }: { insertions: number; deletions: number }) {
  return (
    <span
      className="diff-stats"
      aria-label={`${plural(insertions, "line")} added, ${plural(deletions, "line")} removed`}
    >
      <span className="plus">+{insertions}</span> <span className="minus">−{deletions}</span>
    </span>
  );
}

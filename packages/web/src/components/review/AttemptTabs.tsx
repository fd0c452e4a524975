/** With several attempts: one tab each, best-ranked first, with its checks and size. */
import type { Attempt, TaskMode, VerificationStatus } from "@quire/protocol";
import type { TaskTimeline } from "../../state/timeline";
import { DiffStatsText } from "../StatusBadge";

interface Props {
  attempts: readonly Attempt[];
  /** An Ask task's attempts change nothing: no +0 −0. */
  mode: TaskMode;
  timeline: TaskTimeline;
  /** Attempt ids best first (the task's ranking), when known. */
  ranking: readonly string[];
  selected: string | undefined;
  onSelect(id: string): void;
}

export function rankedAttempts(attempts: readonly Attempt[], ranking: readonly string[]): Attempt[] {
  const rank = (attempt: Attempt): number => {
    const index = ranking.indexOf(attempt.id);
    return index < 0 ? ranking.length + attempt.number : index;
  };
  return [...attempts].sort((a, b) => rank(a) - rank(b));
}

/** The attempt's end event says it first; the attempt row (re-read a moment later) otherwise. */
function verificationOf(attempt: Attempt, timeline: TaskTimeline): VerificationStatus | null {
  const ended = timeline.attempts[attempt.id]?.lastEnd;
  return ended?.verification?.status ?? attempt.verification;
}

export function AttemptTabs({ attempts, mode, timeline, ranking, selected, onSelect }: Props) {
  if (attempts.length < 2) return null;
  return (
    <div className="attempt-tabs" role="tablist" aria-label="Attempts">
      {rankedAttempts(attempts, ranking).map((attempt, index) => {
        const verification = verificationOf(attempt, timeline);
        return (
          <button
            key={attempt.id}
            role="tab"
            aria-selected={attempt.id === selected}
            data-attempt-id={attempt.id}
            className={attempt.id === selected ? "selected" : ""}
            onClick={() => onSelect(attempt.id)}
          >
            <span className="attempt-name">Attempt {attempt.number}</span>
            {ranking.length > 0 && index === 0 && <span className="badge tone-review">Best</span>}
            {verification === "verified" && <span className="badge tone-good">Verified</span>}
            {verification === "checks_failed" && <span className="badge tone-bad">Checks failed</span>}
            {attempt.status !== "completed" && <span className="muted">{attempt.status}</span>}
            {mode === "code" && attempt.diffStats && <DiffStatsText {...attempt.diffStats} />}
          </button>
        );
      })}
    </div>
  );
}

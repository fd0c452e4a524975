/**
 * A review task's findings beside the diff it read: the verdict, then each finding (most urgent
 * first) as a button that scrolls the diff to its lines (through the task view's focus, as a
 * citation does); a line the diff does not show opens as the file itself.
 */
import type { ReviewFinding, ReviewResult } from "@quire/protocol";
import { useFocus } from "../task/focus";

const PRIORITY_NAMES = ["P0", "P1", "P2", "P3"];

export function FindingsPanel({ review }: { review: ReviewResult }) {
  const { focusFile } = useFocus();
  const findings = [...review.findings].sort((a, b) => a.priority - b.priority);
  const verdict = review.overall.verdict;
  return (
    <section className="findings" aria-label="Findings" data-testid="findings">
      <h3>Findings</h3>
      <p className={`verdict ${verdict === "correct" ? "good" : "bad"}`} data-testid="verdict">
        <strong>{verdict === "correct" ? "Correct" : "Needs changes"}</strong>
        {review.overall.explanation && <span> — {review.overall.explanation}</span>}
      </p>
      {findings.length === 0 ? (
        <p className="muted">No findings.</p>
      ) : (
        <ol className="finding-list">
          {findings.map((finding, index) => (
            <li key={index} className={`finding priority-${finding.priority}`} data-testid="finding">
              <button
                type="button"
                className="finding-link"
                onClick={() => focusFile(finding.path, finding.start_line)}
                title="Show these lines in the diff"
              >
                <span className="priority">{PRIORITY_NAMES[finding.priority] ?? `P${finding.priority}`}</span>
                <span className="finding-title">{finding.title}</span>
                <span className="finding-location">{locationOf(finding)}</span>
              </button>
              <p className="finding-body">{finding.body}</p>
              <p className="muted finding-confidence">confidence {Math.round(finding.confidence * 100)}%</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function locationOf(finding: ReviewFinding): string {
  const lines =
    finding.start_line === finding.end_line ? `${finding.start_line}` : `${finding.start_line}-${finding.end_line}`;
  return `${finding.path}:${lines}`;
}

import type { ReviewResult } from "@quire/core";

/**
 * A review as a person reads it in a terminal: each finding as `[P1] path:10-12  title`, its body
 * indented under it, most urgent first; then the verdict and its explanation.
 */
export function formatReview(review: ReviewResult): string {
  const lines: string[] = [];
  const findings = [...review.findings].sort((a, b) => a.priority - b.priority);
  for (const finding of findings) {
    const lines_ =
      finding.start_line === finding.end_line ? `${finding.start_line}` : `${finding.start_line}-${finding.end_line}`;
    lines.push(`[P${finding.priority}] ${finding.path}:${lines_}  ${finding.title}`);
    for (const text of finding.body.trim().split("\n")) lines.push(`    ${text}`);
    lines.push(`    (confidence ${finding.confidence.toFixed(2)})`, "");
  }
  if (findings.length === 0) lines.push("No findings.", "");
  lines.push(`Verdict: ${review.overall.verdict}`);
  if (review.overall.explanation.trim()) lines.push(review.overall.explanation.trim());
  return `${lines.join("\n")}\n`;
}

/**
 * Turning a review's findings into one forge review: a finding whose lines are in the pull
 * request's diff (on its new side, inside one hunk) becomes an inline comment there; any other
 * goes into the review's body, with the verdict. Pure, so each forge's posting is only transport.
 */
import type { ReviewFinding, ReviewResult } from "@quire/core";

export interface InlineComment {
  path: string;
  startLine: number;
  endLine: number;
  body: string;
}

export interface PreparedReview {
  body: string;
  inline: InlineComment[];
}

/** Per new-side path, the line ranges of its hunks (inclusive). */
export type CommentableLines = Map<string, { start: number; end: number }[]>;

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** The lines of the new side a review may comment on: each hunk's range, per file. */
export function commentableLines(diff: string): CommentableLines {
  const lines: CommentableLines = new Map();
  let path: string | null = null;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ")) {
      const name = line.slice(4).trim();
      path = name === "/dev/null" ? null : name.replace(/^b\//, "");
      continue;
    }
    const hunk = HUNK.exec(line);
    if (!hunk || path === null) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    if (count === 0) continue;
    const ranges = lines.get(path) ?? [];
    ranges.push({ start, end: start + count - 1 });
    lines.set(path, ranges);
  }
  return lines;
}

const PRIORITY = ["P0", "P1", "P2", "P3"] as const;

function findingText(finding: ReviewFinding): string {
  const confidence = `confidence ${Math.round(finding.confidence * 100)}%`;
  return `**[${PRIORITY[finding.priority]}] ${finding.title}** (${confidence})\n\n${finding.body.trim()}`;
}

function lines(finding: ReviewFinding): string {
  return finding.start_line === finding.end_line
    ? `${finding.path}:${finding.start_line}`
    : `${finding.path}:${finding.start_line}-${finding.end_line}`;
}

function inDiff(finding: ReviewFinding, commentable: CommentableLines): boolean {
  const start = Math.min(finding.start_line, finding.end_line);
  const end = Math.max(finding.start_line, finding.end_line);
  return (commentable.get(finding.path) ?? []).some((range) => start >= range.start && end <= range.end);
}

export function prepareReview(result: ReviewResult, diff: string, heading = "Quire review"): PreparedReview {
  const commentable = commentableLines(diff);
  const ordered = [...result.findings].sort((a, b) => a.priority - b.priority);
  const inline: InlineComment[] = [];
  const elsewhere: ReviewFinding[] = [];
  for (const finding of ordered) {
    if (!inDiff(finding, commentable)) {
      elsewhere.push(finding);
      continue;
    }
    inline.push({
      path: finding.path,
      startLine: Math.min(finding.start_line, finding.end_line),
      endLine: Math.max(finding.start_line, finding.end_line),
      body: findingText(finding),
    });
  }
  const verdict = result.overall.verdict === "correct" ? "looks correct" : "needs changes";
  const body = [`**${heading}: ${verdict}.**`, "", result.overall.explanation.trim()];
  const count = result.findings.length;
  body.push("", count === 0 ? "No findings." : `${count} finding${count === 1 ? "" : "s"}, ${inline.length} inline.`);
  if (elsewhere.length > 0) {
    body.push("", "Findings outside the diff's lines:");
    for (const finding of elsewhere)
      body.push("", `- \`${lines(finding)}\` ${findingText(finding).split("\n").join("\n  ")}`);
  }
  return { body: body.join("\n"), inline };
}

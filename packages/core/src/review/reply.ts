/**
 * What a review turn sends and what it must get back: the request (the change's range and its
 * diff, bounded), the reply read as one JSON object validated by `reviewResultSchema`, and the
 * one request to try again when the reply does not fit.
 */
import { type ReviewResult, reviewResultSchema } from "./findings.js";

/** Bytes of the diff quoted in the request; past this the agent reads the rest with `git diff`. */
export const REVIEW_DIFF_PROMPT_BYTES = 48 * 1024;
/** Bytes of a misfit reply's problems repeated back to the model. */
const PROBLEM_BYTES = 2000;

export interface ReviewRequest {
  /** What the change is, for the reader: "main...feature (3 commits)", "the result of task X". */
  description: string;
  /** The change as a unified diff (applied in the workspace as uncommitted edits). */
  diff: string;
  /** The person's own words (a focus, a question), when they gave some. */
  focus?: string;
}

/** The first message of a review round: what to review, the diff, and the reply's form. */
export function reviewRequestPrompt(request: ReviewRequest): string {
  const bytes = Buffer.byteLength(request.diff, "utf8");
  const shown =
    bytes <= REVIEW_DIFF_PROMPT_BYTES
      ? request.diff
      : `${Buffer.from(request.diff, "utf8")
          .subarray(0, REVIEW_DIFF_PROMPT_BYTES)
          .toString("utf8")
          .replace(
            /\uFFFD*$/,
            "",
          )}\n[… the diff is ${bytes} bytes; only its head is shown: run \`git diff\` for the rest]\n`;
  const lines = [
    `Review the change: ${request.description}.`,
    "It is applied in the workspace as uncommitted edits (`git diff` shows it; `git diff --stat` lists its files).",
  ];
  if (request.focus?.trim()) lines.push("", "The requester adds:", request.focus.trim());
  lines.push("", "```diff", shown.trimEnd(), "```", "", "End with the JSON object described in your instructions.");
  return lines.join("\n");
}

export type ReviewReply = { ok: true; result: ReviewResult } | { ok: false; problem: string };

/**
 * Reads a reply as a review: the whole reply, or its last ```json block, or the text from its
 * first `{` to its last `}` (models wrap JSON in prose despite being told not to), validated.
 */
export function parseReviewReply(text: string | null): ReviewReply {
  if (text === null || text.trim() === "") return { ok: false, problem: "the reply was empty" };
  let parsed: unknown;
  let parseError = "";
  for (const candidate of jsonCandidates(text)) {
    try {
      parsed = JSON.parse(candidate);
      parseError = "";
      break;
    } catch (error) {
      parseError = (error as Error).message;
    }
  }
  if (parsed === undefined) return { ok: false, problem: `the reply is not a JSON object (${parseError})` };
  const checked = reviewResultSchema.safeParse(parsed);
  if (checked.success) return { ok: true, result: checked.data };
  const issues = checked.error.issues.map((issue) => `${issue.path.join(".") || "(the object)"}: ${issue.message}`);
  return { ok: false, problem: bounded(issues.join("; "), PROBLEM_BYTES) };
}

function jsonCandidates(text: string): string[] {
  const candidates = [text.trim()];
  const fences = [...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)];
  const lastFence = fences.at(-1)?.[1];
  if (lastFence !== undefined) candidates.push(lastFence.trim());
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first !== -1 && last > first) candidates.push(text.slice(first, last + 1));
  return candidates;
}

/** The follow-up sent once when a reply does not fit: what was wrong, and the form again. */
export function reviewRetryPrompt(problem: string): string {
  return [
    `Your reply could not be read as the review's JSON object: ${problem}.`,
    "Reply again with only that JSON object (no prose, no code fence), keeping your findings:",
    '{"findings": [{"title": "...", "body": "...", "priority": 0-3, "confidence": 0-1, "path": "...", "start_line": 1, "end_line": 1}], "overall": {"verdict": "correct" | "needs changes", "explanation": "..."}}',
  ].join("\n");
}

function bounded(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  return `${Buffer.from(text, "utf8")
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\uFFFD*$/, "")}…`;
}

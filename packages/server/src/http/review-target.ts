/**
 * A new review of another task's result (`reviewOf`), checked before it is created. (A review of
 * `base...ref` is resolved with the task: tasks/review-range.ts.)
 */
import { MAX_REVIEW_DIFF_BYTES } from "@quire/core";
import type { Context } from "hono";
import type { Repos, ReviewTarget } from "../storage/index.js";
import { HttpError } from "../errors.js";
import { namedTaskFor } from "./scoping.js";
import { chosenAttempt } from "./task-view.js";

export interface ResolvedReview {
  ref: string;
  /** The review's workspace starts here: the reviewed task's base, or where base and head meet. */
  baseCommit: string;
  target: ReviewTarget;
}

const invalid = (path: string, message: string): HttpError =>
  new HttpError(400, `invalid task: ${path}: ${message}`, [{ path, message }]);

/** `reviewOf`: a finished task of the same repository whose best attempt changed something. */
export async function reviewOfTask(
  c: Context,
  repos: Repos,
  repositoryId: string,
  id: string,
): Promise<ResolvedReview> {
  const reviewed = await namedTaskFor(c, repos, id, "tasks:read");
  if (!reviewed) throw invalid("reviewOf", `no task ${id}`);
  if (reviewed.repositoryId !== repositoryId)
    throw invalid("reviewOf", `task ${id} is not of repository ${repositoryId}`);
  const attempt = await chosenAttempt(repos, reviewed, undefined);
  const changed = attempt?.status === "completed" && (attempt.diffBlob !== null || (attempt.diff ?? "").trim() !== "");
  if (!attempt || !changed || !reviewed.baseCommit)
    throw invalid("reviewOf", `task ${id} has no finished change to review`);
  // The worker reads the whole diff to give it to the review: one past the range's bound is refused here.
  if ((attempt.diffBytes ?? 0) > MAX_REVIEW_DIFF_BYTES) {
    throw invalid("reviewOf", `task ${id}'s change is over ${MAX_REVIEW_DIFF_BYTES} bytes: too large to review`);
  }
  return {
    ref: reviewed.ref,
    baseCommit: reviewed.baseCommit,
    target: { kind: "task", taskId: reviewed.id, attemptId: attempt.id },
  };
}

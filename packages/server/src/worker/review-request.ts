/**
 * What a review task's first round is given: the change it reviews as a diff (from the source's
 * two commits, or the reviewed task's stored result) and a line saying what that change is.
 */
import { type ReviewRequest, reviewRange } from "@quire/core";
import type { Task } from "../storage/index.js";
import { wholeDiffOf } from "../tasks/diff-storage.js";
import type { WorkerContext } from "./context.js";

const TITLE_CHARS = 120;

export async function reviewRequestFor(ctx: WorkerContext, task: Task, sourceDir: string): Promise<ReviewRequest> {
  const target = task.reviewTarget;
  if (!target) throw new Error(`review task ${task.id} does not say what it reviews`);
  if (target.kind === "range") {
    const range = await reviewRange(sourceDir, target.base, target.head);
    const commits = `${range.commits} commit${range.commits === 1 ? "" : "s"}`;
    return {
      description: `${target.base.slice(0, 12)}...${task.ref} (${commits})`,
      diff: range.diff,
      focus: task.prompt,
    };
  }
  const [reviewed, attempt] = await Promise.all([
    ctx.repos.tasks.get(target.taskId),
    ctx.repos.attempts.get(target.attemptId),
  ]);
  if (!reviewed || !attempt) throw new Error(`the task under review (${target.taskId}) no longer exists`);
  const diff = await wholeDiffOf(attempt, ctx.repos.blobs);
  const title = reviewed.prompt.trim().split("\n")[0]?.slice(0, TITLE_CHARS) ?? "";
  return { description: `the result of task ${reviewed.id} ("${title}")`, diff, focus: task.prompt };
}

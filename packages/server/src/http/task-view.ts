/** A task as the API shows it: its row plus what its attempts say (best attempt, checks, size). */
import type { ReviewResult } from "@quire/core";
import type { Attempt, DiffStats, Repos, Task, VerificationStatus } from "../storage/index.js";
import { rankAttempts } from "../tasks/ranking.js";

export interface TaskView extends Task {
  bestAttemptId: string | null;
  verification: VerificationStatus | null;
  diffStats: DiffStats | null;
  /** Review mode: the best attempt's findings, once it finished with valid ones. */
  review: ReviewResult | null;
}

export function viewOf(task: Task, attempts: readonly Attempt[]): TaskView {
  const best = rankAttempts(attempts)[0];
  const done = best?.status === "completed";
  return {
    ...task,
    bestAttemptId: best?.id ?? null,
    verification: done ? (best.verification ?? null) : null,
    diffStats: done ? (best.diffStats ?? null) : null,
    review: done ? (best.review ?? null) : null,
  };
}

export async function viewTask(repos: Repos, task: Task): Promise<TaskView> {
  return viewOf(task, await repos.attempts.listForTask(task.id));
}

export async function viewTasks(repos: Repos, tasks: readonly Task[]): Promise<TaskView[]> {
  const attempts = await repos.attempts.listForTasks(tasks.map((task) => task.id));
  return tasks.map((task) =>
    viewOf(
      task,
      attempts.filter((attempt) => attempt.taskId === task.id),
    ),
  );
}

/** The attempt a follow-up, a diff or a delivery is about: the one named, else the best-ranked. */
export async function chosenAttempt(
  repos: Repos,
  task: Task,
  attemptId: string | undefined,
): Promise<Attempt | undefined> {
  const attempts = await repos.attempts.listForTask(task.id);
  if (attemptId !== undefined) return attempts.find((attempt) => attempt.id === attemptId);
  return rankAttempts(attempts)[0];
}

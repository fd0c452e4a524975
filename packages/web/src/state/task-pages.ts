/**
 * Merging pages of `GET /api/tasks` (newest first) into one list. The first page is polled; older
 * pages are loaded on demand with the cursor. A fresh first page is the truth for everything as
 * new as its last task: a task there that it no longer lists was archived or left the filter.
 */
import type { Task, TaskPage } from "@quire/protocol";

export interface LoadedTasks {
  tasks: Task[];
  /** The cursor for the next older page; null when everything is loaded. */
  next: string | null;
  /** Whether pages beyond the first were loaded (their cursor then stays). */
  pagedOn: boolean;
}

/** Newest first, as the server orders them: createdAt, then id. */
export function newerFirst(a: Task, b: Task): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function withFirstPage(loaded: LoadedTasks | null, page: TaskPage): LoadedTasks {
  const last = page.tasks.at(-1);
  const fresh = new Map(page.tasks.map((task) => [task.id, task]));
  // Without a next page, the first page is the whole list; else it covers tasks down to its last.
  const covered = (task: Task): boolean => page.next === null || !last || newerFirst(task, last) <= 0;
  const older = (loaded?.tasks ?? []).filter((task) => !fresh.has(task.id) && !covered(task));
  const pagedOn = Boolean(loaded?.pagedOn) && page.next !== null;
  return {
    tasks: [...page.tasks, ...older].sort(newerFirst),
    next: pagedOn ? loaded!.next : page.next,
    pagedOn,
  };
}

export function withOlderPage(loaded: LoadedTasks, page: TaskPage): LoadedTasks {
  const known = new Set(loaded.tasks.map((task) => task.id));
  return {
    tasks: [...loaded.tasks, ...page.tasks.filter((task) => !known.has(task.id))].sort(newerFirst),
    next: page.next,
    pagedOn: true,
  };
}

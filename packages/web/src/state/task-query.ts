/**
 * What the side panel's task list asks for: a filter tab (All, Running, To review, Archived)
 * and a search (text, repository, status, mode), as one `GET /api/tasks` query. The server
 * filters, so paging with its cursor walks through matches only.
 */
import { ACTIVE_STATUSES, TASK_STATUSES } from "@quire/protocol/constants";
import type { TaskListQuery, TaskMode, TaskStatus } from "@quire/protocol";

export type TaskFilterName = "all" | "running" | "review" | "archived";

export interface TaskSearch {
  text: string;
  repo: string;
  status: TaskStatus | "";
  mode: TaskMode | "";
}

export const NO_SEARCH: TaskSearch = { text: "", repo: "", status: "", mode: "" };

interface TabQuery {
  statuses: readonly TaskStatus[];
  mode?: TaskMode;
  delivered?: boolean;
  archived: boolean;
}

const TABS: Record<TaskFilterName, TabQuery> = {
  all: { statuses: TASK_STATUSES, archived: false },
  running: { statuses: ACTIVE_STATUSES, archived: false },
  // An Ask task is answered, not reviewed: only Code tasks whose diff is not delivered yet.
  review: { statuses: ["completed"], mode: "code", delivered: false, archived: false },
  archived: { statuses: TASK_STATUSES, archived: true },
};

/** The query for a tab and a search; null when they cannot both match (Running and "Failed"). */
export function taskQueryOf(tab: TaskFilterName, search: TaskSearch): TaskListQuery | null {
  const base = TABS[tab];
  const statuses = search.status ? base.statuses.filter((status) => status === search.status) : base.statuses;
  if (statuses.length === 0) return null;
  if (base.mode && search.mode && base.mode !== search.mode) return null;
  const text = search.text.trim();
  return {
    archived: base.archived,
    ...(statuses.length < TASK_STATUSES.length ? { status: [...statuses] } : {}),
    ...(base.mode || search.mode ? { mode: base.mode ?? (search.mode as TaskMode) } : {}),
    ...(base.delivered !== undefined ? { delivered: base.delivered } : {}),
    ...(search.repo ? { repo: search.repo } : {}),
    ...(text ? { q: text.slice(0, 200) } : {}),
  };
}

export function isSearching(search: TaskSearch): boolean {
  return search.text.trim() !== "" || search.repo !== "" || search.status !== "" || search.mode !== "";
}

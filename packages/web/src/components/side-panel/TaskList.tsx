/**
 * The list of tasks with its filter tabs and search; polled, so statuses and +/− move on by
 * themselves. The server filters and pages (`GET /api/tasks`): "Load older tasks" follows its
 * cursor, so every task can be reached.
 */
import { useEffect, useMemo, useState } from "react";
import { api } from "../../api/client";
import type { Repository, Task } from "@quire/protocol";
import { formatAge, firstLine } from "../../lib/format";
import { navigate, taskHref } from "../../lib/router";
import { modeLabel } from "../../lib/status";
import type { TaskFilterName, TaskSearch as Search } from "../../state/task-query";
import { useNow } from "../../state/use-interval";
import type { TaskList as TaskListState } from "../../state/use-task-list";
import { DiffStatsText, StatusBadge } from "../StatusBadge";
import { TaskSearch } from "./TaskSearch";

export type { TaskFilterName } from "../../state/task-query";

const FILTERS: { name: TaskFilterName; label: string }[] = [
  { name: "all", label: "All" },
  { name: "running", label: "Running" },
  { name: "review", label: "To review" },
  { name: "archived", label: "Archived" },
];

interface Props {
  list: TaskListState;
  filter: TaskFilterName;
  onFilter(filter: TaskFilterName): void;
  search: Search;
  onSearch(search: Search): void;
  selectedId: string | null;
}

export function TaskList({ list, filter, onFilter, search, onSearch, selectedId }: Props) {
  const repositories = useRepositories(list.tasks);
  const names = useMemo(
    () => new Map(repositories.map((repository) => [repository.id, repository.name])),
    [repositories],
  );
  const now = useNow(30_000);
  const tasks = list.tasks ?? [];

  return (
    <section className="task-list" aria-label="Tasks">
      <div className="task-list-head">
        <div className="filters" role="tablist" aria-label="Filter tasks">
          {FILTERS.map((candidate) => (
            <button
              key={candidate.name}
              role="tab"
              aria-selected={filter === candidate.name}
              className={filter === candidate.name ? "selected" : ""}
              onClick={() => onFilter(candidate.name)}
            >
              {candidate.label}
            </button>
          ))}
        </div>
        <TaskSearch search={search} onSearch={onSearch} repositories={repositories} />
      </div>
      {list.error && <p className="error-text">Could not load tasks: {list.error}</p>}
      {list.tasks && tasks.length === 0 && <p className="empty">No tasks here.</p>}
      <ul>
        {tasks.map((task) => (
          <li key={task.id}>
            <TaskRow
              task={task}
              repository={names.get(task.repositoryId)}
              selected={task.id === selectedId}
              now={now}
            />
          </li>
        ))}
      </ul>
      {list.hasMore && (
        <button type="button" className="load-more" disabled={list.loadingMore} onClick={list.loadMore}>
          {list.loadingMore ? "Loading…" : "Load older tasks"}
        </button>
      )}
    </section>
  );
}

function TaskRow({
  task,
  repository,
  selected,
  now,
}: {
  task: Task;
  repository?: string;
  selected: boolean;
  now: number;
}) {
  return (
    <a
      href={taskHref(task.id)}
      className={`task-row${selected ? " selected" : ""}`}
      data-task-id={task.id}
      aria-current={selected ? "page" : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(taskHref(task.id));
      }}
    >
      <div className="task-row-top">
        <StatusBadge status={task.status} verification={task.verification} mode={task.mode} />
        {task.mode !== "code" && <span className="mode">{modeLabel(task.mode)}</span>}
        {task.attemptsRequested > 1 && <span className="mode">×{task.attemptsRequested}</span>}
        <span className="age">{formatAge(task.createdAt, now)}</span>
      </div>
      <div className="task-row-prompt">{firstLine(task.prompt)}</div>
      <div className="task-row-meta">
        <span>{repository ?? "…"}</span>
        <span className="branch">{task.ref}</span>
        {task.mode === "code" && task.diffStats && <DiffStatsText {...task.diffStats} />}
      </div>
    </a>
  );
}

/** The workspace's repositories, for the rows and the search; re-read when a task names an unknown one. */
function useRepositories(tasks: Task[] | null): Repository[] {
  const [repositories, setRepositories] = useState<Repository[] | null>(null);
  const unknown = (tasks ?? []).some(
    (task) => !(repositories ?? []).some((repository) => repository.id === task.repositoryId),
  );
  const missing = repositories === null;
  useEffect(() => {
    if (!missing && !unknown) return;
    api
      .repositories()
      .then(setRepositories)
      .catch(() => undefined);
    // Read once, then again only when a task names a repository not known yet.
  }, [unknown, missing]);
  return repositories ?? [];
}

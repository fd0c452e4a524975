/** The list of tasks with its filters; polled, so statuses and +/− move on by themselves. */
import { useEffect, useMemo, useState } from "react";
import { api } from "../../api/client";
import { ACTIVE_STATUSES, type Repository, type Task } from "../../api/types";
import { formatAge, firstLine } from "../../lib/format";
import { navigate, taskHref } from "../../lib/router";
import { useNow } from "../../state/use-interval";
import type { TaskList as TaskListState } from "../../state/use-task-list";
import { DiffStatsText, StatusBadge } from "../StatusBadge";

export type TaskFilterName = "all" | "running" | "review" | "archived";

const FILTERS: { name: TaskFilterName; label: string }[] = [
  { name: "all", label: "All" },
  { name: "running", label: "Running" },
  { name: "review", label: "To review" },
  { name: "archived", label: "Archived" },
];

function matches(task: Task, filter: TaskFilterName): boolean {
  if (filter === "running") return ACTIVE_STATUSES.includes(task.status);
  if (filter === "review") return task.status === "completed" && !task.delivery;
  return true;
}

interface Props {
  list: TaskListState;
  filter: TaskFilterName;
  onFilter(filter: TaskFilterName): void;
  selectedId: string | null;
}

export function TaskList({ list, filter, onFilter, selectedId }: Props) {
  const repositories = useRepositoryNames(list.tasks);
  const now = useNow(30_000);
  const shown = useMemo(() => (list.tasks ?? []).filter((task) => matches(task, filter)), [list.tasks, filter]);

  return (
    <section className="task-list" aria-label="Tasks">
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
      {list.error && <p className="error-text">Could not load tasks: {list.error}</p>}
      {list.tasks && shown.length === 0 && <p className="empty">No tasks here.</p>}
      <ul>
        {shown.map((task) => (
          <li key={task.id}>
            <a
              href={taskHref(task.id)}
              className={`task-row${task.id === selectedId ? " selected" : ""}`}
              data-task-id={task.id}
              aria-current={task.id === selectedId ? "page" : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(taskHref(task.id));
              }}
            >
              <div className="task-row-top">
                <StatusBadge status={task.status} verification={task.verification} />
                {task.mode === "ask" && <span className="mode">Ask</span>}
                {task.attemptsRequested > 1 && <span className="mode">×{task.attemptsRequested}</span>}
                <span className="age">{formatAge(task.createdAt, now)}</span>
              </div>
              <div className="task-row-prompt">{firstLine(task.prompt)}</div>
              <div className="task-row-meta">
                <span>{repositories.get(task.repositoryId) ?? "…"}</span>
                <span className="branch">{task.ref}</span>
                {task.diffStats && <DiffStatsText {...task.diffStats} />}
              </div>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Repository names for the rows; re-read only when a task names one we do not know yet. */
function useRepositoryNames(tasks: Task[] | null): Map<string, string> {
  const [repositories, setRepositories] = useState<Repository[]>([]);
  const unknown = (tasks ?? []).some((task) => !repositories.some((repository) => repository.id === task.repositoryId));
  useEffect(() => {
    if (!unknown) return;
    api
      .repositories()
      .then(setRepositories)
      .catch(() => undefined);
  }, [unknown]);
  return useMemo(() => new Map(repositories.map((repository) => [repository.id, repository.name])), [repositories]);
}

/**
 * Searching the task list: text the prompt contains (sent 300 ms after typing stops), and the
 * repository, status and mode. The server filters (`GET /api/tasks?q=&repo=&status=&mode=`).
 */
import { useEffect, useState } from "react";
import { TASK_STATUSES } from "@quire/protocol/constants";
import type { Repository, TaskMode, TaskStatus } from "@quire/protocol";
import { shownStatus } from "../../lib/status";
import { isSearching, NO_SEARCH, type TaskSearch as Search } from "../../state/task-query";

const TYPING_MS = 300;

interface Props {
  search: Search;
  onSearch(search: Search): void;
  repositories: readonly Repository[];
}

export function TaskSearch({ search, onSearch, repositories }: Props) {
  const [text, setText] = useState(search.text);
  useEffect(() => setText(search.text), [search.text]);
  useEffect(() => {
    if (text === search.text) return;
    const timer = setTimeout(() => onSearch({ ...search, text }), TYPING_MS);
    return () => clearTimeout(timer);
  }, [text, search, onSearch]);

  return (
    <div className="task-search" role="search" aria-label="Task search">
      <input
        type="search"
        aria-label="Search tasks"
        placeholder="Search tasks"
        value={text}
        maxLength={200}
        onChange={(event) => setText(event.target.value)}
      />
      <div className="task-search-filters">
        <select
          aria-label="Repo filter"
          value={search.repo}
          onChange={(event) => onSearch({ ...search, repo: event.target.value })}
        >
          <option value="">All repos</option>
          {repositories.map((repository) => (
            <option key={repository.id} value={repository.id}>
              {repository.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Status filter"
          value={search.status}
          onChange={(event) => onSearch({ ...search, status: event.target.value as TaskStatus | "" })}
        >
          <option value="">Any status</option>
          {TASK_STATUSES.map((status) => (
            <option key={status} value={status}>
              {statusName(status)}
            </option>
          ))}
        </select>
        <select
          aria-label="Mode filter"
          value={search.mode}
          onChange={(event) => onSearch({ ...search, mode: event.target.value as TaskMode | "" })}
        >
          <option value="">Any mode</option>
          <option value="code">Code</option>
          <option value="ask">Ask</option>
          <option value="review">Review</option>
        </select>
        {isSearching(search) && (
          <button type="button" className="clear-search" onClick={() => onSearch(NO_SEARCH)}>
            Clear
          </button>
        )}
      </div>
    </div>
  );
}

/** The status's own name ("Completed"), not its review label: the search is by stored status. */
function statusName(status: TaskStatus): string {
  if (status === "completed") return "Completed";
  return shownStatus(status, null, "code").label;
}

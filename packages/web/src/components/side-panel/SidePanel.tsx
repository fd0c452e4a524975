/** The side panel, as in Codex: the composer above the list of tasks, and the way to the other pages. */
import type { Task } from "@quire/protocol";
import { environmentsHref, onLinkClick, settingsHref, USAGE_PATH } from "../../lib/router";
import { AccountBar } from "../account/AccountBar";
import { ThemeToggle } from "../ThemeToggle";
import type { TaskSearch } from "../../state/task-query";
import type { TaskList as TaskListState } from "../../state/use-task-list";
import { Composer } from "./Composer";
import { TaskList, type TaskFilterName } from "./TaskList";

export type Page = "tasks" | "environments" | "usage" | "settings";

interface Props {
  list: TaskListState;
  filter: TaskFilterName;
  onFilter(filter: TaskFilterName): void;
  search: TaskSearch;
  onSearch(search: TaskSearch): void;
  selectedId: string | null;
  page: Page;
  onCreated(task: Task): void;
}

export function SidePanel({ list, filter, onFilter, search, onSearch, selectedId, page, onCreated }: Props) {
  return (
    <aside className="side-panel" aria-label="Side panel">
      <header className="brand-row">
        <a className="brand" href="/" onClick={(event) => onLinkClick(event, "/")}>
          Quire
        </a>
        <nav aria-label="Pages">
          <a
            className="nav-link"
            href={environmentsHref()}
            aria-current={page === "environments" ? "page" : undefined}
            onClick={(event) => onLinkClick(event, environmentsHref())}
          >
            Environments
          </a>
          <a
            className="nav-link"
            href={USAGE_PATH}
            aria-current={page === "usage" ? "page" : undefined}
            onClick={(event) => onLinkClick(event, USAGE_PATH)}
          >
            Usage
          </a>
          <a
            className="nav-link"
            href={settingsHref()}
            aria-current={page === "settings" ? "page" : undefined}
            onClick={(event) => onLinkClick(event, settingsHref())}
          >
            Settings
          </a>
        </nav>
        <ThemeToggle />
      </header>
      <AccountBar />
      <Composer onCreated={onCreated} />
      <TaskList
        list={list}
        filter={filter}
        onFilter={onFilter}
        search={search}
        onSearch={onSearch}
        selectedId={selectedId}
      />
    </aside>
  );
}

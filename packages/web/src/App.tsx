/** The whole app: the side panel (composer, tasks, pages) and the selected task or page. */
import { useCallback, useMemo, useState } from "react";
import type { Task } from "@quire/protocol";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { ModelBanner } from "./components/ModelBanner";
import { SidePanel } from "./components/side-panel/SidePanel";
import type { TaskFilterName } from "./components/side-panel/TaskList";
import { EnvironmentsPage, SettingsPage, UsagePage } from "./components/lazy";
import type { Page } from "./components/side-panel/SidePanel";
import { TaskView } from "./components/task/TaskView";
import { environmentsRouteOf, isUsagePath, navigate, settingsTabOf, taskHref, taskIdOf, usePath } from "./lib/router";
import { NO_SEARCH, taskQueryOf, type TaskSearch } from "./state/task-query";
import { useTaskList } from "./state/use-task-list";

export function App() {
  const path = usePath();
  const taskId = taskIdOf(path);
  const environments = environmentsRouteOf(path);
  const usage = isUsagePath(path);
  const settingsTab = settingsTabOf(path);
  const page: Page = environments ? "environments" : usage ? "usage" : settingsTab ? "settings" : "tasks";
  const [filter, setFilter] = useState<TaskFilterName>("all");
  const [search, setSearch] = useState<TaskSearch>(NO_SEARCH);
  const query = useMemo(() => taskQueryOf(filter, search), [filter, search]);
  const list = useTaskList(query);
  const { refresh } = list;

  const onCreated = useCallback(
    (task: Task) => {
      // The new task must show in the list: leave the archive and any search.
      if (filter === "archived") setFilter("all");
      setSearch(NO_SEARCH);
      refresh();
      navigate(taskHref(task.id));
    },
    [filter, refresh],
  );

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // Focus, not only scroll: the next Tab then continues inside the main area.
          event.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <SidePanel
        list={list}
        filter={filter}
        onFilter={setFilter}
        search={search}
        onSearch={setSearch}
        selectedId={taskId}
        page={page}
        onCreated={onCreated}
      />
      <main className="main" id="main" tabIndex={-1}>
        <ModelBanner />
        {environments ? (
          <ErrorBoundary key="environments">
            <EnvironmentsPage repositoryId={environments.repositoryId} />
          </ErrorBoundary>
        ) : usage ? (
          <ErrorBoundary key="usage">
            <UsagePage />
          </ErrorBoundary>
        ) : settingsTab ? (
          <ErrorBoundary key="settings">
            <SettingsPage tab={settingsTab} />
          </ErrorBoundary>
        ) : taskId ? (
          <ErrorBoundary key={taskId}>
            <TaskView taskId={taskId} onChanged={refresh} />
          </ErrorBoundary>
        ) : (
          <div className="welcome">
            <h1>Delegate a task</h1>
            <p>
              Describe it on the left and press <strong>Code</strong> to have the agent change the code, or{" "}
              <strong>Ask</strong> for an answer that changes nothing. Each task runs in its own sandbox; its log and
              diff show here.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}

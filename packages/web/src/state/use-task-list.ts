/**
 * The side panel's task list: the first page of `GET /api/tasks` for the current query, polled
 * every 2 s while the page is visible (no re-render unless the answer changed), and older pages
 * loaded on demand with the server's cursor, so every task can be reached.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { notifyIfFinished } from "../lib/finish-notifications";
import { api } from "../api/client";
import type { Task, TaskListQuery } from "@quire/protocol";
import { withFirstPage, withOlderPage, type LoadedTasks } from "./task-pages";
import { useVisibleInterval } from "./use-interval";

export const POLL_MS = 2000;
export const PAGE_SIZE = 50;

export interface TaskList {
  tasks: Task[] | null;
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  refresh(): void;
  loadMore(): void;
}

/** `query` null: nothing can match (the list is empty without asking). */
export function useTaskList(query: TaskListQuery | null): TaskList {
  const [loaded, setLoaded] = useState<LoadedTasks | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const lastAnswer = useRef("");
  const generation = useRef(0);
  const queryKey = JSON.stringify(query);
  const currentKey = useRef(queryKey);
  currentKey.current = queryKey;

  const refresh = useCallback(() => {
    const mine = ++generation.current;
    const filter = JSON.parse(queryKey) as TaskListQuery | null;
    if (!filter) {
      setLoaded({ tasks: [], next: null, pagedOn: false });
      return;
    }
    api
      .taskPage({ ...filter, limit: PAGE_SIZE })
      .then((page) => {
        // A slower, older request (or one for another query) must not overwrite a newer answer.
        if (mine !== generation.current) return;
        setError(null);
        const answer = JSON.stringify(page);
        if (answer === lastAnswer.current) return;
        lastAnswer.current = answer;
        // A watched task seen finished in the list is told too (its page may not be open).
        for (const task of page.tasks) notifyIfFinished(task);
        setLoaded((current) => withFirstPage(current, page));
      })
      .catch((failure: unknown) => {
        if (mine === generation.current) setError(failure instanceof Error ? failure.message : String(failure));
      });
  }, [queryKey]);

  const loadMore = useCallback(() => {
    const filter = JSON.parse(queryKey) as TaskListQuery | null;
    if (!filter || !loaded?.next || loadingMore) return;
    setLoadingMore(true);
    api
      .taskPage({ ...filter, limit: PAGE_SIZE, before: loaded.next })
      .then((page) => {
        // Polls may come and go meanwhile; only another query makes this page stale.
        if (currentKey.current !== queryKey) return;
        setLoaded((current) => (current ? withOlderPage(current, page) : current));
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setLoadingMore(false));
  }, [queryKey, loaded, loadingMore]);

  useEffect(() => {
    lastAnswer.current = "";
    setLoaded(null);
    refresh();
  }, [refresh]);
  useVisibleInterval(refresh, POLL_MS);
  return {
    tasks: loaded?.tasks ?? null,
    error,
    hasMore: Boolean(loaded?.next),
    loadingMore,
    refresh,
    loadMore,
  };
}

/**
 * The side panel's task list: `GET /api/tasks` every 2 s while the page is visible. Cheap: one
 * small request, and no re-render unless the answer changed.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { Task } from "../api/types";
import { useVisibleInterval } from "./use-interval";

export const POLL_MS = 2000;

export interface TaskList {
  tasks: Task[] | null;
  error: string | null;
  refresh(): void;
}

export function useTaskList(archived: boolean): TaskList {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lastAnswer = useRef("");
  const generation = useRef(0);

  const refresh = useCallback(() => {
    const mine = ++generation.current;
    api
      .tasks({ archived, limit: 100 })
      .then((fresh) => {
        // A slower, older request must not overwrite a newer answer.
        if (mine !== generation.current) return;
        setError(null);
        const answer = JSON.stringify(fresh);
        if (answer === lastAnswer.current) return;
        lastAnswer.current = answer;
        setTasks(fresh);
      })
      .catch((failure: unknown) => {
        if (mine === generation.current) setError(failure instanceof Error ? failure.message : String(failure));
      });
  }, [archived]);

  useEffect(() => {
    lastAnswer.current = "";
    setTasks(null);
    refresh();
  }, [refresh]);
  useVisibleInterval(refresh, POLL_MS);
  return { tasks, error, refresh };
}

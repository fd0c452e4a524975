/**
 * The task row and its attempts (diffs, verification logs), re-read when the stream says
 * something happened (throttled), and after the user acts on the task.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { Attempt, Task } from "@quire/protocol";

export interface TaskDetails {
  task: Task | null;
  attempts: Attempt[];
  error: string | null;
  refresh(): void;
}

const THROTTLE_MS = 1000;

export function useTaskDetails(taskId: string, lastSeq: number): TaskDetails {
  const [task, setTask] = useState<Task | null>(null);
  const [attempts, setAttempts] = useState<Attempt[]>([]);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const lastRun = useRef(0);
  const pending = useRef<number | undefined>(undefined);

  const refresh = useCallback(() => {
    const mine = ++generation.current;
    lastRun.current = Date.now();
    Promise.all([api.task(taskId), api.attempts(taskId)])
      .then(([freshTask, freshAttempts]) => {
        if (mine !== generation.current) return;
        setTask(freshTask);
        setAttempts(freshAttempts);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (mine === generation.current) setError(failure instanceof Error ? failure.message : String(failure));
      });
  }, [taskId]);

  useEffect(() => {
    setTask(null);
    setAttempts([]);
    refresh();
  }, [refresh]);

  // New events: re-read at most once a second, and always once after the last of a burst.
  useEffect(() => {
    if (lastSeq === 0) return;
    window.clearTimeout(pending.current);
    const wait = Math.max(0, lastRun.current + THROTTLE_MS - Date.now());
    pending.current = window.setTimeout(refresh, wait);
    return () => window.clearTimeout(pending.current);
  }, [lastSeq, refresh]);

  return { task, attempts, error, refresh };
}

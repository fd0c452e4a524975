/**
 * A task's cost so far as the server metered and priced it (`GET /api/usage?groupBy=task` from
 * the task's creation, its row picked out): every model call of every attempt and follow-up,
 * priced by the server's table (plans.toml's prices included). Re-read as the task's events
 * arrive (at most every few seconds); undefined until known, or when the server has no usage API
 * or no price for the model, so the header falls back to its own estimate.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { accountsApi } from "../api/accounts";

export interface ServerTaskCost {
  costUsd: number;
  /** Attempts whose model has no price: the cost leaves them out. */
  unpricedAttempts: number;
}

const THROTTLE_MS = 3000;

export function useServerTaskCost(
  taskId: string,
  createdAt: string | undefined,
  lastSeq: number,
): ServerTaskCost | undefined {
  const [cost, setCost] = useState<ServerTaskCost | undefined>();
  const unavailable = useRef(false);
  const lastRun = useRef(0);
  const timer = useRef<number | undefined>(undefined);

  const load = useCallback(() => {
    if (!createdAt || unavailable.current) return;
    lastRun.current = Date.now();
    accountsApi
      .usage({ groupBy: "task", from: createdAt })
      .then((report) => {
        const row = report.rows.find((candidate) => candidate.key === taskId);
        setCost(
          row && row.costUsd !== null ? { costUsd: row.costUsd, unpricedAttempts: row.unpricedAttempts } : undefined,
        );
      })
      .catch(() => {
        // An older server, or no right to read usage: the header's estimate stays.
        unavailable.current = true;
      });
  }, [taskId, createdAt]);

  // New events (a model call was metered before its events were appended): re-read, throttled,
  // and once more after the last of a burst.
  useEffect(() => {
    window.clearTimeout(timer.current);
    const wait = Math.max(0, lastRun.current + THROTTLE_MS - Date.now());
    timer.current = window.setTimeout(load, wait);
    return () => window.clearTimeout(timer.current);
  }, [lastSeq, load]);

  return cost;
}

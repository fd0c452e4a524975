/**
 * Usage without limits, for a server that enforces none (single-user, no plans.toml): what the
 * workspace used in the last 5 hours and 7 days, straight from `GET /api/usage`, so the page
 * never shows a plan that is not in force (the built-in one the server would fall back to).
 */
import { useCallback, useEffect, useState } from "react";
import type { UsageTotals } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { formatCost, formatTokens, plural } from "../../lib/format";
import { useVisibleInterval } from "../../state/use-interval";

const WINDOWS = [
  { name: "5h", label: "Last 5 hours", ms: 5 * 60 * 60 * 1000 },
  { name: "week", label: "Last 7 days", ms: 7 * 24 * 60 * 60 * 1000 },
] as const;

type Recent = Record<(typeof WINDOWS)[number]["name"], UsageTotals>;

export function RecentUsage({ refreshMs }: { refreshMs: number }) {
  const [recent, setRecent] = useState<Recent | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    const now = Date.now();
    Promise.all(
      WINDOWS.map((window) =>
        accountsApi.usage({ from: new Date(now - window.ms).toISOString(), groupBy: "workspace" }),
      ),
    )
      .then(([fiveHours, week]) => {
        setRecent({ "5h": fiveHours!.totals, week: week!.totals });
        setError(null);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);
  useEffect(load, [load]);
  useVisibleInterval(load, refreshMs);

  return (
    <>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {recent && (
        <ul className="meters recent-usage" data-testid="recent-usage">
          {WINDOWS.map((window) => {
            const totals = recent[window.name];
            return (
              <li key={window.name} className="meter-row" data-window={window.name}>
                <div className="meter-label">{window.label}</div>
                <div className="meter-count">
                  <span data-testid="recent-attempts">{plural(totals.attempts, "attempt")}</span> ·{" "}
                  <span data-testid="recent-tasks">{plural(totals.tasks, "task")}</span> ·{" "}
                  {formatTokens(totals.inputTokens + totals.outputTokens)} tokens
                  {totals.costUsd !== null && <> · {formatCost(totals.costUsd)}</>}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

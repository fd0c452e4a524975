/**
 * Usage over a period, per task, model, user or workspace (`GET /api/usage`), with totals and
 * the same report as CSV. Tasks show by their prompt and link to the task; users by their email.
 */
import { useCallback, useEffect, useState } from "react";
import type { UsageGroup, UsageReport, UsageRow } from "@quire/protocol";
import { accountsApi, usageCsvUrl } from "../../api/accounts";
import { api } from "../../api/client";
import { onDownloadClick } from "../../api/download";
import { firstLine, formatCost, formatDuration, formatTokens } from "../../lib/format";
import { onLinkClick, taskHref } from "../../lib/router";
import { useSession } from "../../state/session";
import { useVisibleInterval } from "../../state/use-interval";
import { defaultRange, usageQueryOf, type UsageRange } from "./usage-range";

const GROUPS: { value: UsageGroup; label: string }[] = [
  { value: "task", label: "Task" },
  { value: "model", label: "Model" },
  { value: "user", label: "User" },
  { value: "workspace", label: "Workspace" },
];

const TABLE_REFRESH_MS = 10_000;

export function UsageTable() {
  const { me } = useSession();
  const [range, setRange] = useState<UsageRange>(() => defaultRange());
  const [report, setReport] = useState<UsageReport | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const query = usageQueryOf(range);
  const queryKey = JSON.stringify(query);

  const load = useCallback(() => {
    accountsApi
      .usage(JSON.parse(queryKey) as ReturnType<typeof usageQueryOf>)
      .then((fresh) => {
        setReport(fresh);
        setError(null);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, [queryKey]);
  useEffect(load, [load]);
  useVisibleInterval(load, TABLE_REFRESH_MS);

  // Names for the keys: tasks' prompts, members' emails, workspaces' names.
  const groupBy = report?.groupBy;
  // Re-asked only when the set of tasks without a name changes (one beyond the newest 100 stays unnamed).
  const unknownTasks =
    report?.groupBy === "task"
      ? report.rows
          .filter((row) => names[`task:${row.key}`] === undefined)
          .map((row) => row.key)
          .join(",")
      : "";
  useEffect(() => {
    if (unknownTasks !== "") {
      api
        .tasks({ limit: 100 })
        .then((tasks) =>
          setNames((known) => ({
            ...known,
            ...Object.fromEntries(tasks.map((task) => [`task:${task.id}`, firstLine(task.prompt, 90)])),
          })),
        )
        .catch(() => undefined);
    }
  }, [unknownTasks]);
  const workspaceId = me?.workspace?.id;
  useEffect(() => {
    if (groupBy !== "user" || !workspaceId) return;
    accountsApi
      .members(workspaceId)
      .then((members) =>
        setNames((known) => ({
          ...known,
          ...Object.fromEntries(members.map((member) => [`user:${member.userId}`, member.email ?? member.userId])),
        })),
      )
      .catch(() => undefined);
  }, [groupBy, workspaceId]);

  const nameOf = (row: UsageRow, group: UsageGroup) => {
    if (group === "task") {
      const prompt = names[`task:${row.key}`];
      return (
        <a href={taskHref(row.key)} onClick={(event) => onLinkClick(event, taskHref(row.key))} title={row.key}>
          {prompt ?? row.key}
        </a>
      );
    }
    if (group === "user") return names[`user:${row.key}`] ?? (row.key === "local" ? "you (single-user)" : row.key);
    if (group === "workspace") return me?.workspaces.find((w) => w.id === row.key)?.name ?? row.key;
    return row.key || "(unknown model)";
  };

  const set = (change: Partial<UsageRange>) => setRange((current) => ({ ...current, ...change }));
  const groupLabel = GROUPS.find((group) => group.value === (report?.groupBy ?? range.groupBy))?.label ?? "Key";

  return (
    <section className="usage-report" aria-labelledby="usage-heading">
      <div className="section-head">
        <h2 id="usage-heading">Over a period</h2>
        <a
          className="button"
          href={usageCsvUrl(query)}
          download="quire-usage.csv"
          onClick={(event) => onDownloadClick(event, setError)}
        >
          Download CSV
        </a>
      </div>
      <div className="usage-controls">
        <label>
          <span>First day</span>
          <input
            type="date"
            value={range.from}
            max={range.to}
            onChange={(event) => set({ from: event.target.value })}
          />
        </label>
        <label>
          <span>Last day</span>
          <input type="date" value={range.to} min={range.from} onChange={(event) => set({ to: event.target.value })} />
        </label>
        <label>
          <span>Group by</span>
          <select value={range.groupBy} onChange={(event) => set({ groupBy: event.target.value as UsageGroup })}>
            {GROUPS.map((group) => (
              <option key={group.value} value={group.value}>
                {group.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {report && report.rows.length === 0 && <p className="empty">Nothing was metered in this period.</p>}
      {report && report.rows.length > 0 && (
        <div className="table-scroll">
          <table className="data-table usage-table">
            <thead>
              <tr>
                <th scope="col">{groupLabel}</th>
                <th scope="col">Attempts</th>
                <th scope="col">Model calls</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Sandbox time</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((row) => (
                <tr key={row.key} data-key={row.key}>
                  <th scope="row">{nameOf(row, report.groupBy)}</th>
                  <Numbers totals={row} />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <Numbers totals={report.totals} />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

function Numbers({ totals }: { totals: Omit<UsageRow, "key"> }) {
  return (
    <>
      <td data-testid="usage-attempts">{totals.attempts}</td>
      <td>{totals.modelCalls}</td>
      <td title={`${totals.cachedInputTokens} cached`}>
        {formatTokens(totals.inputTokens)}
        {totals.cachedInputTokens > 0 && (
          <span className="muted"> ({formatTokens(totals.cachedInputTokens)} cached)</span>
        )}
      </td>
      <td title={`${totals.reasoningOutputTokens} reasoning`}>{formatTokens(totals.outputTokens)}</td>
      <td>{formatDuration(totals.wallSeconds * 1000)}</td>
      <td data-testid="usage-cost">
        {totals.costUsd === null ? <span className="muted">no price</span> : formatCost(totals.costUsd)}
        {totals.costUsd !== null && totals.unpricedAttempts > 0 && (
          <span className="muted" title="attempts whose model has no price are not in the cost">
            {" "}
            + {totals.unpricedAttempts} unpriced
          </span>
        )}
      </td>
    </>
  );
}

/**
 * The task's title line: what was asked, where and in which environment, its status, time,
 * tokens and cost; Cancel and Archive. It sticks to the top while the log scrolls; its height is
 * published as `--task-header-height` so the review pane sticks just under it.
 */
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";
import { api } from "../../api/client";
import { ACTIVE_STATUSES } from "@quire/protocol/constants";
import type { Task } from "@quire/protocol";
import { firstLine, formatCost, formatTokens, plural } from "../../lib/format";
import { navigate, taskHref } from "../../lib/router";
import { modeLabel } from "../../lib/status";
import { costOf } from "../../lib/pricing";
import type { TokenUsage } from "../../state/timeline";
import type { ServerTaskCost } from "../../state/use-task-cost";
import { DiffStatsText, StatusBadge } from "../StatusBadge";
import { Elapsed } from "./WorkingIndicator";
import { WatchButton } from "./WatchButton";

interface Props {
  task: Task;
  usage: TokenUsage;
  /** The cost the server metered, when it has one; else the header estimates from the tokens. */
  serverCost: ServerTaskCost | undefined;
  /** When the current run started, while the agent works (the log's own indicator may be off screen). */
  workingSince: string | null;
  onChanged(): void;
}

export function TaskHeader({ task, usage, serverCost, workingSince, onChanged }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const active = ACTIVE_STATUSES.includes(task.status);
  const header = useRef<HTMLElement>(null);
  useHeightVariable(header);
  const environment = useEnvironmentName(task.environmentId);

  const act = (action: (id: string) => Promise<unknown>): void => {
    setBusy(true);
    setError(null);
    action(task.id)
      .then(onChanged)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  // A finished code task that changed something can be reviewed: a new review task of its result.
  const reviewable = task.mode === "code" && task.status === "completed" && (task.diffStats?.files ?? 0) > 0;
  const startReview = (): void => {
    setBusy(true);
    setError(null);
    api
      .createTask({ repo: task.repositoryId, mode: "review", reviewOf: task.id })
      .then((review) => {
        onChanged();
        navigate(taskHref(review.id));
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <header className="task-header" ref={header}>
      <div className="task-title-row">
        <h2 title={task.prompt}>{firstLine(task.prompt, 160)}</h2>
        <div className="task-actions">
          {reviewable && !task.archived && (
            <button onClick={startReview} disabled={busy} title="Start a review task of this task's result">
              Review
            </button>
          )}
          {/* In the header, not above the log: it goes when the task ends, and nothing below may move then. */}
          {active && <WatchButton taskId={task.id} />}
          {active && (
            <button onClick={() => act(api.cancel)} disabled={busy || task.cancelRequestedAt !== null}>
              {task.cancelRequestedAt ? "Cancelling…" : "Cancel"}
            </button>
          )}
          {task.archived ? (
            <button className="quiet" onClick={() => act(api.unarchive)} disabled={busy}>
              Unarchive
            </button>
          ) : (
            <button className="quiet" onClick={() => act(api.archive)} disabled={busy}>
              Archive
            </button>
          )}
        </div>
      </div>
      <div className="task-meta">
        <StatusBadge status={task.status} verification={task.verification} mode={task.mode} />
        {active && workingSince && (
          <span className="muted" data-testid="working-for">
            for <Elapsed since={workingSince} />
          </span>
        )}
        <span className="mode">{modeLabel(task.mode)}</span>
        <span className="branch">{task.ref}</span>
        <span className="environment" title="The environment the task runs in">
          <span className="muted">in </span>
          <span data-testid="task-environment">{environment}</span>
        </span>
        {task.mode === "code" && task.diffStats && <DiffStatsText {...task.diffStats} />}
        <Usage model={task.model} usage={usage} serverCost={serverCost} />
        {task.archived && <span className="muted">archived</span>}
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </header>
  );
}

/** Keeps `--task-header-height` on the task view equal to the header's height. */
function useHeightVariable(header: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const element = header.current;
    const view = element?.parentElement;
    if (!element || !view) return;
    const publish = (): void => view.style.setProperty("--task-header-height", `${element.offsetHeight}px`);
    publish();
    const observer = new ResizeObserver(publish);
    observer.observe(element);
    return () => observer.disconnect();
  }, [header]);
}

/** The environment's name; a task without one runs in the repository's own (its `.quire/environment.toml`, if any). */
function useEnvironmentName(id: string | null): string {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    setName(null);
    if (!id) return;
    let current = true;
    api
      .environment(id)
      .then((environment) => current && setName(environment.name))
      .catch(() => current && setName("a removed environment"));
    return () => {
      current = false;
    };
  }, [id]);
  if (!id) return "Default environment";
  return name ?? "…";
}

interface UsageProps {
  model: string | null;
  usage: TokenUsage;
  serverCost: ServerTaskCost | undefined;
}

/** Tokens from the event stream; the cost as the server metered it, else estimated here from a price list. */
function Usage({ model, usage, serverCost }: UsageProps) {
  const tokens = usage.input_tokens + usage.output_tokens;
  const estimate = costOf(model, usage);
  if (tokens === 0 && !serverCost) return null;
  const detail = `${usage.input_tokens} input (${usage.cached_input_tokens} cached), ${usage.output_tokens} output`;
  const cost = serverCost
    ? {
        text: formatCost(serverCost.costUsd),
        source: "server",
        title:
          serverCost.unpricedAttempts > 0
            ? `cost so far as the server metered it; ${plural(serverCost.unpricedAttempts, "attempt")} with an unpriced model left out`
            : "cost so far as the server metered it",
      }
    : estimate !== undefined
      ? { text: formatCost(estimate), source: "estimate", title: "cost so far, estimated from the tokens" }
      : null;
  return (
    <span className="usage" title={detail} data-testid="usage">
      {tokens > 0 && `${formatTokens(tokens)} tokens`}
      {tokens > 0 && cost && " · "}
      {cost && (
        <span data-testid="task-cost" data-cost-source={cost.source} title={cost.title}>
          {cost.text}
        </span>
      )}
    </span>
  );
}

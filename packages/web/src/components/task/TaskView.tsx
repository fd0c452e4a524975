/** One task: its header, attempt tabs, the live timeline of the chosen attempt and its review. */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ACTIVE_STATUSES } from "@quire/protocol/constants";
import { addUsage, attemptUsage, zeroUsage, type AttemptTimeline } from "../../state/timeline";
import { useVisibleInterval } from "../../state/use-interval";
import { useTaskDetails } from "../../state/use-task-details";
import { useServerTaskCost } from "../../state/use-task-cost";
import { useTaskStream } from "../../state/use-task-stream";
import { preloadMarkdown } from "../lazy";
import { AttemptTabs, rankedAttempts } from "../review/AttemptTabs";
import { ReviewPanel } from "../review/ReviewPanel";
import { FocusContext, type Focus, type FocusControl } from "./focus";
import { SplitHandle, useReviewShare } from "./SplitHandle";
import { TaskHeader } from "./TaskHeader";
import { Timeline } from "./Timeline";
import { WorkingIndicator } from "./WorkingIndicator";
import { notifyIfFinished } from "../../lib/finish-notifications";

export function TaskView({ taskId, onChanged }: { taskId: string; onChanged(): void }) {
  const live = useTaskStream(taskId);
  const { timeline } = live;
  const details = useTaskDetails(taskId, timeline.lastSeq);
  const { task, attempts } = details;
  const serverCost = useServerTaskCost(taskId, task?.createdAt, timeline.lastSeq);
  const [chosen, setChosen] = useState<string | undefined>();
  const [focus, setFocus] = useState<Focus | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const [reviewShare, setReviewShare] = useReviewShare(body);
  // The first message would otherwise show as plain text, then change height as Markdown.
  useEffect(preloadMarkdown, []);

  // Before the first event (queued, preparing) only the task row can tell us how it goes.
  const waiting = task !== null && ACTIVE_STATUSES.includes(task.status) && timeline.lastSeq === 0;
  useVisibleInterval(details.refresh, waiting ? 2000 : null);

  const focusControl = useMemo<FocusControl>(
    () => ({
      focus,
      focusFile: (path, line) => setFocus({ kind: "file", path, line, nonce: Date.now() }),
      focusCommand: (key) => setFocus({ kind: "command", key, nonce: Date.now() }),
    }),
    [focus],
  );

  // The server ends a finished task's stream; a delivery or a follow-up (from anyone) adds
  // events after that end, which the task row's lastEventSeq tells us about.
  const { resume, streamState } = live;
  useEffect(() => {
    if (task && streamState === "ended" && task.lastEventSeq > timeline.lastSeq) resume();
  }, [task, streamState, timeline.lastSeq, resume]);

  // The side panel polls, but a status change seen here shows there at once; a watched task that
  // finished is told as a browser notification.
  const status = task?.status;
  useEffect(() => {
    if (status) onChanged();
  }, [status, onChanged]);
  useEffect(() => {
    if (task) notifyIfFinished(task);
  }, [task]);

  const refreshAll = useCallback(() => {
    details.refresh();
    onChanged();
  }, [details, onChanged]);
  const afterFollowUp = useCallback(() => {
    refreshAll();
    resume();
  }, [refreshAll, resume]);

  const usage = useMemo(
    () => Object.values(timeline.attempts).reduce((sum, attempt) => addUsage(sum, attemptUsage(attempt)), zeroUsage),
    [timeline.attempts],
  );

  // The header's clock: since the earliest run still going (a follow-up starts a new one).
  const workingSince = useMemo(() => {
    const starts = Object.values(timeline.attempts)
      .filter((attempt) => attempt.working && attempt.roundStartedAt)
      .map((attempt) => attempt.roundStartedAt!);
    return starts.sort()[0] ?? null;
  }, [timeline.attempts]);

  if (details.error && !task)
    return (
      <p className="error-text">
        Could not load task {taskId}: {details.error}
      </p>
    );
  if (!task) return <p className="muted">Loading…</p>;

  const ranked = rankedAttempts(attempts, timeline.taskEnd?.ranking ?? []);
  // The ranking event is fresher than the task row, which is re-read a moment after it.
  const attemptId = chosen ?? timeline.taskEnd?.ranking?.[0] ?? task.bestAttemptId ?? ranked[0]?.id;
  const attempt = attempts.find((candidate) => candidate.id === attemptId);
  const attemptTimeline = attemptId ? timeline.attempts[attemptId] : undefined;

  return (
    <FocusContext.Provider value={focusControl}>
      <article className="task-view" data-task-id={task.id} data-stream={streamState}>
        <TaskHeader
          task={task}
          usage={usage}
          serverCost={serverCost}
          workingSince={workingSince ?? (timeline.lastSeq === 0 ? task.createdAt : task.updatedAt)}
          onChanged={refreshAll}
        />
        {streamState === "reconnecting" && <p className="muted reconnecting">Reconnecting to the live log…</p>}
        <AttemptTabs
          attempts={attempts}
          mode={task.mode}
          timeline={timeline}
          ranking={timeline.taskEnd?.ranking ?? []}
          selected={attemptId}
          onSelect={setChosen}
        />
        <div className="task-body" ref={body}>
          <div className="task-log">
            {/* The round's user_message item shows the prompt once it arrives; until then (or for a task
                recorded before those items existed) the task's own prompt stands in for it. */}
            {!opensWithUserMessage(attemptTimeline) && <div className="prompt-bubble">{task.prompt}</div>}
            {attemptTimeline ? (
              <Timeline taskId={task.id} attempt={attemptTimeline} />
            ) : (
              ACTIVE_STATUSES.includes(task.status) && <WorkingIndicator since={null} />
            )}
          </div>
          <SplitHandle body={body} share={reviewShare} onShare={setReviewShare} />
          <ReviewPanel
            task={task}
            attempt={attempt}
            timeline={attemptTimeline}
            onFollowUp={afterFollowUp}
            onDelivered={refreshAll}
          />
        </div>
      </article>
    </FocusContext.Provider>
  );
}

/** Whether the attempt's log already shows the person's first words as a user_message item. */
function opensWithUserMessage(timeline: AttemptTimeline | undefined): boolean {
  return timeline?.entries.some((entry) => entry.kind === "item" && entry.item.type === "user_message") ?? false;
}

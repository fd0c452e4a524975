/**
 * Review of one attempt: verification, the diff, and what to do with it (follow up, patch, PR).
 * A review task shows its findings above the change it read, and ships nothing.
 */
import { useState } from "react";
import { diffUrl } from "../../api/client";
import { onDownloadClick } from "../../api/download";
import type { Attempt, Task } from "@quire/protocol";
import type { AttemptTimeline } from "../../state/timeline";
import { ApplyCommands } from "./ApplyCommands";
import { DeliverPanel } from "./DeliverPanel";
import { Diff } from "../lazy";
import { FindingsPanel } from "./FindingsPanel";
import { FollowUpBox } from "./FollowUpBox";
import { VerificationPanel } from "./VerificationPanel";

interface Props {
  task: Task;
  attempt: Attempt | undefined;
  timeline: AttemptTimeline | undefined;
  onFollowUp(): void;
  onDelivered(): void;
}

export function ReviewPanel({ task, attempt, timeline, onFollowUp, onDelivered }: Props) {
  const finished = attempt?.status === "completed";
  const diff = attempt?.diff ?? "";
  const review = task.mode === "review";
  const hasDiff = finished && diff.trim() !== "" && !review;
  const deliveredHere = task.delivery && (!task.delivery.attemptId || task.delivery.attemptId === attempt?.id);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  return (
    <section className="review" aria-label="Review">
      {!review && (
        <VerificationPanel
          attempt={attempt}
          checks={timeline?.verification ?? []}
          running={timeline?.working ?? false}
        />
      )}
      {review && finished && attempt?.review && <FindingsPanel review={attempt.review} />}
      <h3>{review ? "The change reviewed" : "Diff"}</h3>
      {finished && attempt?.diffTruncated ? (
        <p className="muted" data-testid="diff-too-large">
          This diff is too large to show here ({Math.round((attempt.diffBytes ?? 0) / 1024)} KiB).{" "}
          <a href={diffUrl(task.id, attempt.id)} download={`quire-${task.id}.diff`}>
            Download the diff
          </a>
        </p>
      ) : finished ? (
        <Diff diff={diff} taskId={task.id} />
      ) : (
        <p className="muted">
          {attempt && ["queued", "preparing", "running"].includes(attempt.status)
            ? "The diff is shown when the attempt finishes."
            : "This attempt has no diff to review."}
        </p>
      )}
      {hasDiff && (
        <div className="review-actions">
          <a
            className="button"
            href={diffUrl(task.id, attempt?.id, "patch")}
            download={`quire-${task.id}.patch`}
            data-testid="download-patch"
            onClick={(event) => onDownloadClick(event, setDownloadError)}
          >
            Download patch
          </a>
          <DeliverPanel
            key={attempt?.id}
            taskId={task.id}
            attemptId={attempt?.id}
            prompt={task.prompt}
            finalMessage={attempt?.finalMessage ?? null}
            delivered={deliveredHere ? task.delivery : null}
            attemptFinishedAt={attempt?.finishedAt ?? null}
            onDelivered={onDelivered}
          />
        </div>
      )}
      {downloadError && (
        <p className="error-text" role="alert">
          {downloadError}
        </p>
      )}
      {hasDiff && attempt && <ApplyCommands taskId={task.id} attemptId={attempt.id} />}
      {attempt &&
        (task.archived ? (
          <p className="muted archived-note">Archived: unarchive the task to send a follow-up.</p>
        ) : (
          <FollowUpBox taskId={task.id} attemptId={attempt.id} onSent={onFollowUp} />
        ))}
    </section>
  );
}

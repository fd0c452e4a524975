/** How a run ended (and, after "Create PR", where the diff went). */
import type { TaskCompleted, TaskDelivered } from "../../state/timeline";
import { Markdown } from "../lazy";
import type { CommandRef } from "./command-output-link";

const ENDED: Record<TaskCompleted["status"], string> = {
  completed: "Finished",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted: the worker running it stopped",
};

interface Props {
  event: TaskCompleted;
  /** The reason repeats an error the log already shows above. */
  reasonShown: boolean;
  commands: readonly CommandRef[];
}

export function RoundEnd({ event, reasonShown, commands }: Props) {
  return (
    <div className={`round-end status-${event.status}`} data-end-status={event.status}>
      <div className="entry-title">
        {ENDED[event.status]}
        {event.verification && (
          <span className={`badge tone-${event.verification.status === "verified" ? "good" : "bad"}`}>
            {event.verification.status === "verified" ? "Verified" : "Checks failed"}
          </span>
        )}
      </div>
      {event.reason && !reasonShown && <p className="muted">{event.reason}</p>}
      {/* The final message is also the last agent_message item unless the run ended without one. */}
      {event.final_message && event.status !== "completed" && (
        <Markdown text={event.final_message} commands={commands} />
      )}
    </div>
  );
}

export function Delivered({ event }: { event: TaskDelivered }) {
  return (
    <div className="delivered">
      <div className="entry-title">Delivered</div>
      <p>
        Branch <code>{event.branch}</code> pushed to <code>{event.remote}</code>
        {event.pull_request && (
          <>
            {" "}
            —{" "}
            <a href={event.pull_request.url} target="_blank" rel="noreferrer">
              pull request #{event.pull_request.number}
            </a>
          </>
        )}
      </p>
    </div>
  );
}

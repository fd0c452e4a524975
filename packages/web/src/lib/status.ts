/**
 * What a task's status means to a person: "ready for review", "verified", "checks failed"… An
 * Ask task changes nothing, so when it completes it is "Answered", never up for review.
 */
import type { TaskMode, TaskStatus, VerificationStatus } from "@quire/protocol";

export type StatusTone = "active" | "review" | "good" | "bad" | "muted";

export interface ShownStatus {
  label: string;
  tone: StatusTone;
}

export function shownStatus(status: TaskStatus, verification: VerificationStatus | null, mode: TaskMode): ShownStatus {
  switch (status) {
    case "queued":
      return { label: "Queued", tone: "active" };
    case "preparing":
      return { label: "Preparing", tone: "active" };
    case "running":
      return { label: "Running", tone: "active" };
    case "completed":
      if (mode === "ask") return { label: "Answered", tone: "good" };
      if (mode === "review") return { label: "Reviewed", tone: "good" };
      if (verification === "verified") return { label: "Verified", tone: "good" };
      if (verification === "checks_failed") return { label: "Checks failed", tone: "bad" };
      return { label: "Ready for review", tone: "review" };
    case "failed":
      return { label: "Failed", tone: "bad" };
    case "cancelled":
      return { label: "Cancelled", tone: "muted" };
    case "interrupted":
      return { label: "Interrupted", tone: "bad" };
  }
}

/** The mode as the task's header and list name it. */
export function modeLabel(mode: TaskMode): string {
  return mode === "ask" ? "Ask" : mode === "review" ? "Review" : "Code";
}

/** How a task's round ends: its outcome recorded, its diff stored, then its `task.completed`. */
import type { ConversationState } from "../agent/conversation.js";
import type { QuireEvent, TaskStatus } from "../events.js";
import type { ReviewResult } from "../review/findings.js";
import { RebuildError } from "./rebuild.js";
import type { TaskRecord } from "./store.js";
import type { TaskResult } from "./task-options.js";
import type { TaskStore } from "./task-store.js";

export interface RoundOutcome {
  status: TaskStatus;
  finalMessage: string | null;
  reason?: string;
  /** Review mode: the round's validated findings. */
  review?: ReviewResult;
}

/** A follow-up that could not get a workspace: the round fails, the task's stored diff stands. */
export async function failRoundKeepingResult(
  store: TaskStore,
  record: TaskRecord,
  state: ConversationState,
  options: { signal: AbortSignal },
  emit: (event: QuireEvent) => void,
  error: Error,
  storedDiff: string,
): Promise<TaskResult> {
  const cancelled = options.signal.aborted;
  const reason = cancelled
    ? "cancelled by the user"
    : error instanceof RebuildError
      ? error.message
      : `rebuilding the task's workspace failed, so the follow-up did not run (the stored result is kept): ${error.message}`;
  if (!cancelled) emit({ type: "error", message: reason });
  const outcome = { status: cancelled ? ("cancelled" as const) : ("failed" as const), reason, finalMessage: null };
  return finishTask(store, record, state, outcome, storedDiff, emit);
}

export async function failBeforeTurn(
  store: TaskStore,
  record: TaskRecord,
  state: ConversationState,
  options: { signal: AbortSignal },
  emit: (event: QuireEvent) => void,
  error: Error,
): Promise<TaskResult> {
  const cancelled = options.signal.aborted;
  const reason = cancelled ? "cancelled by the user" : `preparing the workspace failed: ${error.message}`;
  if (!cancelled) emit({ type: "error", message: reason });
  await store.saveConversation(record.id, state);
  const outcome = { status: cancelled ? ("cancelled" as const) : ("failed" as const), reason, finalMessage: null };
  return finishTask(store, record, state, outcome, "", emit);
}

export async function finishTask(
  store: TaskStore,
  record: TaskRecord,
  state: ConversationState,
  outcome: RoundOutcome,
  diff: string,
  emit: (event: QuireEvent) => void,
): Promise<TaskResult> {
  await store.saveDiff(record.id, diff);
  record.pid = undefined;
  record.status = outcome.status;
  record.reason = outcome.status === "completed" ? undefined : outcome.reason;
  record.finalMessage = outcome.finalMessage;
  // A review round that failed keeps no findings: an earlier round's would read as this one's.
  if (record.mode === "review") record.review = outcome.status === "completed" ? outcome.review : undefined;
  record.usage = state.usage;
  await store.save(record);
  emit({
    type: "task.completed",
    task_id: record.id,
    status: outcome.status,
    final_message: outcome.finalMessage,
    diff,
    usage: state.usage,
    ...(record.reason ? { reason: record.reason } : {}),
  });
  return {
    record,
    status: outcome.status,
    finalMessage: outcome.finalMessage,
    diff,
    reason: record.reason,
    ...(record.review ? { review: record.review } : {}),
  };
}

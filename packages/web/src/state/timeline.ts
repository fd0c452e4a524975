/**
 * Folds a task's event stream into what the task view shows: per attempt, the items in the
 * order they started (an update replaces its item in place, by id), the verification checks,
 * errors, ends and deliveries, token usage, and whether the agent is still working.
 * Pure and immutable: React re-renders only the attempts an event touched.
 */
import type { QuireEvent, StoredEvent, ThreadItem } from "@quire/protocol";

export type TaskCompleted = Extract<QuireEvent, { type: "task.completed" }>;
export type TaskDelivered = Extract<QuireEvent, { type: "task.delivered" }>;
export type TokenUsage = Extract<QuireEvent, { type: "turn.completed" }>["usage"];

export interface ItemEntry {
  kind: "item";
  key: string;
  item: ThreadItem;
  /** When the item started and ended, from the stored events (so a replayed history keeps its timing). */
  startedAt: string;
  endedAt: string | null;
}
export interface ErrorEntry {
  kind: "error";
  key: string;
  message: string;
}
export interface EndEntry {
  kind: "end";
  key: string;
  event: TaskCompleted;
  /** The end's reason only repeats an error this round already shows: it is not shown again. */
  reasonShown: boolean;
}
export interface DeliveredEntry {
  kind: "delivered";
  key: string;
  event: TaskDelivered;
}
export type Entry = ItemEntry | ErrorEntry | EndEntry | DeliveredEntry;

export interface AttemptTimeline {
  attemptId: string;
  entries: readonly Entry[];
  /** The checks the verification gate ran on the latest diff (items `verify_*`). */
  verification: readonly ItemEntry[];
  /** Rounds: the first run, then one per follow-up. Item ids may repeat across rounds. */
  round: number;
  roundStartedAt: string | null;
  working: boolean;
  lastEnd: TaskCompleted | null;
  /** Usage as of the last task.completed (cumulative over the attempt), plus turns since. */
  endedUsage: TokenUsage | null;
  turnUsage: TokenUsage;
}

export interface TaskTimeline {
  attempts: Readonly<Record<string, AttemptTimeline>>;
  /** Attempt ids in the order their first event came. */
  attemptOrder: readonly string[];
  /** The task's own end when it has several attempts (attemptId null): carries the ranking. */
  taskEnd: TaskCompleted | null;
  lastSeq: number;
}

/** Events without an attempt (other than the task's end) are kept under this key. */
const TASK_LEVEL = "task";

export const emptyTimeline: TaskTimeline = { attempts: {}, attemptOrder: [], taskEnd: null, lastSeq: 0 };

export const zeroUsage: TokenUsage = {
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  reasoning_output_tokens: 0,
};

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    reasoning_output_tokens: a.reasoning_output_tokens + b.reasoning_output_tokens,
  };
}

export function attemptUsage(attempt: AttemptTimeline): TokenUsage {
  return addUsage(attempt.endedUsage ?? zeroUsage, attempt.turnUsage);
}

export function applyEvents(timeline: TaskTimeline, events: readonly StoredEvent[]): TaskTimeline {
  let next = timeline;
  for (const stored of events) next = applyEvent(next, stored);
  return next;
}

export function applyEvent(timeline: TaskTimeline, stored: StoredEvent): TaskTimeline {
  if (stored.seq <= timeline.lastSeq) return timeline;
  const { event } = stored;
  if (event.type === "task.completed" && stored.attemptId === null) {
    return { ...timeline, taskEnd: event, lastSeq: stored.seq };
  }
  const id = stored.attemptId ?? TASK_LEVEL;
  const previous = timeline.attempts[id] ?? newAttempt(id);
  const attempt = applyToAttempt(previous, stored);
  return {
    attempts: { ...timeline.attempts, [id]: attempt },
    attemptOrder: timeline.attempts[id] ? timeline.attemptOrder : [...timeline.attemptOrder, id],
    // A follow-up reopens the task: its previous end no longer stands.
    taskEnd: event.type === "task.delivered" ? timeline.taskEnd : null,
    lastSeq: stored.seq,
  };
}

function newAttempt(attemptId: string): AttemptTimeline {
  return {
    attemptId,
    entries: [],
    verification: [],
    round: 0,
    roundStartedAt: null,
    working: false,
    lastEnd: null,
    endedUsage: null,
    turnUsage: zeroUsage,
  };
}

function applyToAttempt(previous: AttemptTimeline, stored: StoredEvent): AttemptTimeline {
  const { event } = stored;
  if (event.type === "task.delivered") {
    return { ...previous, entries: [...previous.entries, { kind: "delivered", key: `s${stored.seq}`, event }] };
  }
  const attempt = previous.working ? previous : startRound(previous, stored);
  switch (event.type) {
    case "item.started":
    case "item.updated":
    case "item.completed":
      return applyItem(attempt, event.item, event.type === "item.completed", stored.createdAt);
    case "turn.completed":
      return { ...attempt, turnUsage: addUsage(attempt.turnUsage, event.usage) };
    case "turn.failed":
      return withError(attempt, `s${stored.seq}`, event.error.message);
    case "error":
      return withError(attempt, `s${stored.seq}`, event.message);
    case "task.completed":
      return endRound(attempt, event, stored.seq);
    default:
      return attempt;
  }
}

/** The first event after an end (or ever) opens a round: the agent is working again. */
function startRound(attempt: AttemptTimeline, stored: StoredEvent): AttemptTimeline {
  const ending = stored.event.type === "task.completed";
  return {
    ...attempt,
    round: attempt.lastEnd ? attempt.round + 1 : attempt.round,
    roundStartedAt: stored.createdAt,
    working: !ending,
    verification: attempt.lastEnd ? [] : attempt.verification,
  };
}

/**
 * One failure arrives as up to three events (`error`, `turn.failed`, then the end's reason),
 * each carrying the same words, sometimes with a prefix: an error this round already shows
 * (the same text, or one containing the other) is not added again.
 */
function withError(attempt: AttemptTimeline, key: string, message: string): AttemptTimeline {
  if (shownThisRound(attempt, message)) return attempt;
  return withEntry(attempt, { kind: "error", key, message });
}

function shownThisRound(attempt: AttemptTimeline, message: string): boolean {
  const said = message.trim();
  if (said === "") return false;
  for (let index = attempt.entries.length - 1; index >= 0; index -= 1) {
    const entry = attempt.entries[index]!;
    if (entry.kind === "end") return false;
    if (entry.kind === "error" && (entry.message.includes(said) || said.includes(entry.message.trim()))) return true;
  }
  return false;
}

function endRound(attempt: AttemptTimeline, event: TaskCompleted, seq: number): AttemptTimeline {
  const reported = event.usage.input_tokens + event.usage.output_tokens > 0;
  const reasonShown = Boolean(event.reason) && shownThisRound(attempt, event.reason ?? "");
  return {
    ...withEntry(attempt, { kind: "end", key: `s${seq}`, event, reasonShown }),
    working: false,
    lastEnd: event,
    endedUsage: reported ? pickTokens(event.usage) : attemptUsage(attempt),
    turnUsage: zeroUsage,
  };
}

function pickTokens(usage: TokenUsage): TokenUsage {
  const { input_tokens, cached_input_tokens, output_tokens, reasoning_output_tokens } = usage;
  return { input_tokens, cached_input_tokens, output_tokens, reasoning_output_tokens };
}

function withEntry(attempt: AttemptTimeline, entry: Entry): AttemptTimeline {
  return { ...attempt, entries: [...attempt.entries, entry] };
}

function applyItem(attempt: AttemptTimeline, item: ThreadItem, completed: boolean, at: string): AttemptTimeline {
  const key = `r${attempt.round}:${item.id}`;
  const isCheck = item.id.startsWith("verify_");
  const list = isCheck ? attempt.verification : attempt.entries;
  // Updates are nearly always for a recent item: search from the end.
  const index = list.findLastIndex((entry) => entry.key === key);
  const existing = index >= 0 ? (list[index] as ItemEntry) : undefined;
  const entry: ItemEntry = {
    kind: "item",
    key,
    item,
    startedAt: existing?.startedAt ?? at,
    endedAt: completed ? at : null,
  };
  const updated = index >= 0 ? list.map((old, i) => (i === index ? entry : old)) : [...list, entry];
  return isCheck ? { ...attempt, verification: updated as ItemEntry[] } : { ...attempt, entries: updated };
}

import { beforeEach, describe, expect, it } from "vitest";
import type { QuireEvent, StoredEvent } from "@quire/protocol";
import { applyEvents, attemptUsage, emptyTimeline, type ItemEntry } from "./timeline";

let seq = 0;
function stored(event: QuireEvent, attemptId: string | null = "a1", at = "2026-11-23T10:00:00.000Z"): StoredEvent {
  seq += 1;
  return { taskId: "t1", attemptId, seq, event, createdAt: at };
}
const usage = { input_tokens: 100, cached_input_tokens: 40, output_tokens: 10, reasoning_output_tokens: 2 };
const taskUsage = { ...usage, model_calls: 1, per_call: [] };
const end = (status: "completed" | "cancelled" = "completed"): QuireEvent => ({
  type: "task.completed",
  task_id: "t1",
  attempt_id: "a1",
  status,
  final_message: "done",
  diff: "",
  usage: taskUsage,
});

describe("the timeline", () => {
  beforeEach(() => {
    seq = 0;
  });

  it("replaces an item in place by its id: one plan entry that ends with the latest steps", () => {
    const plan = (completed: boolean[]) => ({
      id: "item_1",
      type: "todo_list" as const,
      items: completed.map((done, index) => ({ text: `step ${index}`, completed: done })),
    });
    const timeline = applyEvents(emptyTimeline, [
      stored({ type: "thread.started", thread_id: "x" }),
      stored({ type: "item.started", item: plan([false, false]) }),
      stored({ type: "item.started", item: { id: "item_2", type: "reasoning", text: "hmm" } }),
      stored({ type: "item.updated", item: plan([true, false]) }),
      stored({ type: "item.completed", item: plan([true, true]) }),
    ]);
    const attempt = timeline.attempts.a1!;
    expect(attempt.entries.map((entry) => entry.key)).toEqual(["r0:item_1", "r0:item_2"]);
    expect((attempt.entries[0] as ItemEntry).item).toEqual(plan([true, true]));
    expect(attempt.working).toBe(true);
  });

  it("ignores events it has already seen (a resumed stream that overlaps)", () => {
    const first = [
      stored({ type: "turn.started" }),
      stored({ type: "item.completed", item: { id: "item_0", type: "agent_message", text: "hi" } }),
    ];
    const once = applyEvents(emptyTimeline, first);
    const twice = applyEvents(once, first);
    expect(twice).toBe(once);
    expect(twice.attempts.a1!.entries).toHaveLength(1);
  });

  it("times a command from its start to its end when it carries no duration", () => {
    const command = {
      id: "item_0",
      type: "command_execution" as const,
      command: "make",
      aggregated_output: "",
      exit_code: null,
      status: "in_progress" as const,
    };
    const timeline = applyEvents(emptyTimeline, [
      stored({ type: "item.started", item: command }, "a1", "2026-11-23T10:00:00.000Z"),
      stored(
        { type: "item.completed", item: { ...command, exit_code: 0, status: "completed" } },
        "a1",
        "2026-11-23T10:00:02.500Z",
      ),
    ]);
    const entry = timeline.attempts.a1!.entries[0] as ItemEntry;
    expect(Date.parse(entry.endedAt!) - Date.parse(entry.startedAt)).toBe(2500);
  });

  it("keeps each attempt's events apart and the task's own end (with the ranking) aside", () => {
    const timeline = applyEvents(emptyTimeline, [
      stored({ type: "turn.started" }, "a1"),
      stored({ type: "turn.started" }, "a2"),
      stored({ type: "item.completed", item: { id: "item_0", type: "agent_message", text: "two" } }, "a2"),
      stored({ ...(end() as Extract<QuireEvent, { type: "task.completed" }>), attempt_id: "a2" }, "a2"),
      stored(
        { ...(end() as Extract<QuireEvent, { type: "task.completed" }>), attempt_id: undefined, ranking: ["a2", "a1"] },
        null,
      ),
    ]);
    expect(timeline.attemptOrder).toEqual(["a1", "a2"]);
    expect(timeline.attempts.a1!.entries).toHaveLength(0);
    expect(timeline.attempts.a2!.working).toBe(false);
    expect(timeline.taskEnd?.ranking).toEqual(["a2", "a1"]);
  });

  it("puts the verification gate's checks aside, and starts them afresh on a follow-up round", () => {
    const check = {
      id: "verify_0",
      type: "command_execution" as const,
      command: "npm test",
      aggregated_output: "ok",
      exit_code: 0,
      status: "completed" as const,
    };
    let timeline = applyEvents(emptyTimeline, [
      stored({ type: "turn.started" }),
      stored({ type: "item.completed", item: { id: "item_0", type: "agent_message", text: "fixed" } }),
      stored({ type: "item.completed", item: check }),
      stored(end()),
    ]);
    expect(timeline.attempts.a1!.verification).toHaveLength(1);
    expect(timeline.attempts.a1!.entries.map((entry) => entry.kind)).toEqual(["item", "end"]);

    timeline = applyEvents(timeline, [
      stored({ type: "turn.started" }),
      stored({ type: "item.completed", item: { id: "item_0", type: "agent_message", text: "again" } }),
    ]);
    const attempt = timeline.attempts.a1!;
    expect(attempt.working).toBe(true);
    expect(attempt.round).toBe(1);
    expect(attempt.verification).toHaveLength(0);
    // The same item id in a new round is a new entry, not a replacement of the first.
    expect(attempt.entries.map((entry) => entry.key)).toEqual(["r0:item_0", "s4", "r1:item_0"]);
  });

  it("counts tokens from the turns, then from the attempt's end (which includes compactions)", () => {
    let timeline = applyEvents(emptyTimeline, [
      stored({ type: "turn.completed", usage }),
      stored({ type: "turn.completed", usage }),
    ]);
    expect(attemptUsage(timeline.attempts.a1!).input_tokens).toBe(200);
    timeline = applyEvents(timeline, [
      stored({
        ...(end() as Extract<QuireEvent, { type: "task.completed" }>),
        usage: { ...taskUsage, input_tokens: 250 },
      }),
    ]);
    expect(attemptUsage(timeline.attempts.a1!).input_tokens).toBe(250);
  });

  it("shows a failure once: error, turn.failed and the end's reason carry the same words", () => {
    const words = "the model's reply could not be read: Unexpected end of JSON input";
    const failed: QuireEvent = {
      ...(end() as Extract<QuireEvent, { type: "task.completed" }>),
      status: "failed",
      reason: `model call failed: ${words}`,
    };
    const timeline = applyEvents(emptyTimeline, [
      stored({ type: "turn.started" }),
      stored({ type: "error", message: words }),
      stored({ type: "turn.failed", error: { message: words } }),
      stored(failed),
    ]);
    const entries = timeline.attempts.a1!.entries;
    expect(
      entries.filter((entry) => entry.kind === "error").map((entry) => entry.kind === "error" && entry.message),
    ).toEqual([words]);
    expect(entries.at(-1)).toMatchObject({ kind: "end", reasonShown: true });

    // The next round's failure is its own: shown again, and another reason is shown.
    const again = applyEvents(timeline, [
      stored({ type: "turn.started" }),
      stored({ type: "turn.failed", error: { message: words } }),
      stored({ ...failed, reason: "cancelled by the user" }),
    ]);
    const later = again.attempts.a1!.entries;
    expect(later.filter((entry) => entry.kind === "error")).toHaveLength(2);
    expect(later.at(-1)).toMatchObject({ kind: "end", reasonShown: false });
  });
});

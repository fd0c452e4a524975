import type { QuireEvent } from "@quire/core";
import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";

const message = (text: string): QuireEvent => ({
  type: "item.completed",
  item: { id: text, type: "agent_message", text },
});

describe.each(TEST_DIALECTS)("events on %s", (dialect) => {
  const t = useTestRepos(dialect);

  async function newTask(attempts = 1) {
    const repository = await t.repos.repositories.create({ name: "r", source: "/r" });
    return t.repos.tasks.create({ repositoryId: repository.id, ref: "main", mode: "code", prompt: "p", attempts });
  }

  it("gives 20 concurrent writers seqs 1..N with no gap or duplicate, committed in order", async () => {
    const { task, attempts } = await newTask(2);
    const written = new Map<number, string>();
    const seen: number[] = [];
    let writing = true;
    // A reader polling like an SSE stream: it must never see seq n+2 before n+1.
    const reader = (async () => {
      while (writing || seen.length < written.size) {
        const batch = await t.repos.events.eventsAfter(task.id, seen.at(-1) ?? 0);
        seen.push(...batch.map((stored) => stored.seq));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await Promise.all(
      Array.from({ length: 20 }, async (_, writer) => {
        for (let call = 0; call < 3; call++) {
          const batch = Array.from({ length: 1 + (writer % 3) }, (_, index) => message(`w${writer}c${call}e${index}`));
          const seqs = await t.repos.events.append(task.id, attempts[writer % 2]!.id, batch);
          expect(seqs).toHaveLength(batch.length);
          // One call's events are contiguous.
          expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
          seqs.forEach((seq, index) =>
            written.set(seq, (batch[index]!.type === "item.completed" && batch[index]!.item.id) || ""),
          );
        }
      }),
    );
    writing = false;
    await reader;
    const total = 3 * Array.from({ length: 20 }, (_, writer) => 1 + (writer % 3)).reduce((a, b) => a + b);
    expect([...written.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(seen).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    const stored = await t.repos.events.eventsAfter(task.id, 0, 10_000);
    expect(stored.map((event) => event.seq)).toEqual(seen);
    for (const event of stored) {
      expect(event.event.type === "item.completed" && event.event.item.id).toBe(written.get(event.seq));
    }
    expect((await t.repos.tasks.get(task.id))?.lastEventSeq).toBe(total);
  });

  it("pages through events after a given seq", async () => {
    const { task } = await newTask();
    await t.repos.events.append(
      task.id,
      null,
      Array.from({ length: 23 }, (_, index) => message(`m${index}`)),
    );
    const pages: number[][] = [];
    for (let after = 0; ;) {
      const page = await t.repos.events.eventsAfter(task.id, after, 7);
      if (page.length === 0) break;
      pages.push(page.map((event) => event.seq));
      after = page.at(-1)!.seq;
    }
    expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 2]);
    expect(pages.flat()).toEqual(Array.from({ length: 23 }, (_, index) => index + 1));
    expect(await t.repos.events.eventsAfter(task.id, 23)).toEqual([]);
    expect((await t.repos.events.eventsAfter(task.id, 20)).map((event) => event.seq)).toEqual([21, 22, 23]);
    expect(await t.repos.events.eventsAfter("no-such-task", 0)).toEqual([]);
  });

  it("keeps each task's seqs separate and refuses an unknown task", async () => {
    const { task: a } = await newTask();
    const { task: b } = await newTask();
    expect(await t.repos.events.append(a.id, null, [message("a1"), message("a2")])).toEqual([1, 2]);
    expect(await t.repos.events.append(b.id, null, [message("b1")])).toEqual([1]);
    expect(await t.repos.events.append(a.id, null, [])).toEqual([]);
    expect(await t.repos.events.append(a.id, null, [message("a3")])).toEqual([3]);
    await expect(t.repos.events.append("no-such-task", null, [message("x")])).rejects.toThrow(/no task/);
  });

  it("round-trips events exactly, with the attempt they belong to", async () => {
    const { task, attempts } = await newTask();
    const events: QuireEvent[] = [
      { type: "thread.started", thread_id: "th_1" },
      {
        type: "item.completed",
        item: {
          id: "c1",
          type: "command_execution",
          command: `bash -lc 'echo "ünï ✓" \\n'`,
          aggregated_output: 'line 1\nline 2\t"quoted"\u0001 \u{1F600}',
          exit_code: null,
          status: "failed",
          duration_ms: 12,
        },
      },
      {
        type: "turn.completed",
        usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 2, reasoning_output_tokens: 3 },
      },
    ];
    await t.repos.events.append(task.id, attempts[0]!.id, events, new Date("2030-02-03T04:05:06.789Z"));
    const stored = await t.repos.events.eventsAfter(task.id, 0);
    expect(stored.map((event) => event.event)).toEqual(events);
    expect(stored[0]).toMatchObject({
      taskId: task.id,
      attemptId: attempts[0]!.id,
      seq: 1,
      createdAt: "2030-02-03T04:05:06.789Z",
    });
  });
});

import type { QuireEvent } from "@quire/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { appendAndPublish } from "../events/event-hub.js";
import { readSse, startTestApi, type SseMessage, type TestApi } from "../../testing/api.js";

const message = (text: string): QuireEvent => ({
  type: "item.completed",
  item: { id: text, type: "agent_message", text },
});
const completed = (taskId: string): QuireEvent => ({
  type: "task.completed",
  task_id: taskId,
  status: "completed",
  final_message: "done",
  diff: "",
  usage: {
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_output_tokens: 0,
    model_calls: 0,
    per_call: [],
  },
});

/** Takes `count` data messages (skipping heartbeats), leaving the stream open. */
async function take(stream: AsyncGenerator<SseMessage>, count: number): Promise<{ id: string; text: string }[]> {
  const out: { id: string; text: string }[] = [];
  while (out.length < count) {
    const next = await stream.next();
    if (next.done) throw new Error(`stream ended after ${out.length} of ${count}`);
    if (next.value.data === undefined) continue;
    const stored = JSON.parse(next.value.data) as { seq: number; event: QuireEvent };
    expect(next.value.id).toBe(String(stored.seq));
    const { event } = stored;
    out.push({ id: next.value.id!, text: event.type === "item.completed" ? event.item.id : event.type });
  }
  return out;
}

describe.each(TEST_DIALECTS)("task events over SSE on %s", (dialect) => {
  let api: TestApi;
  let repoId: string;
  beforeAll(async () => {
    // The default 15 s heartbeat: live events must come through the hub, not the idle re-read.
    api = await startTestApi(dialect);
    repoId = (await api.repos.repositories.create({ name: "r", source: "/srv/r" })).id;
  });
  afterAll(async () => api?.close());

  const newTask = async () =>
    (await api.repos.tasks.create({ repositoryId: repoId, ref: "main", mode: "code", prompt: "p", attempts: 1 })).task
      .id;
  const append = async (taskId: string, events: QuireEvent[]) => {
    const [attempt] = await api.repos.attempts.listForTask(taskId);
    // As workers do: the task's status is final before the event that ends its stream.
    if (events.some((event) => event.type === "task.completed"))
      await api.repos.tasks.updateStatus(taskId, "completed");
    return appendAndPublish(api.repos, api.app.hub, taskId, attempt!.id, events);
  };
  const open = (taskId: string, headers: Record<string, string> = {}, query = "") =>
    fetch(`${api.url}/api/tasks/${taskId}/events${query}`, { headers });

  it("sends history, then live events in order with ids, then ends after task.completed", async () => {
    const taskId = await newTask();
    await append(taskId, [message("a"), message("b")]);
    const response = await open(taskId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const stream = readSse(response);
    expect(await take(stream, 2)).toEqual([
      { id: "1", text: "a" },
      { id: "2", text: "b" },
    ]);
    // Appended while connected, by concurrent writers: seqs decide the order.
    await Promise.all([append(taskId, [message("c"), message("d")]), append(taskId, [message("e")])]);
    const live = await take(stream, 3);
    expect(live.map((m) => m.id)).toEqual(["3", "4", "5"]);
    expect(live.map((m) => m.text).sort()).toEqual(["c", "d", "e"]);
    await append(taskId, [completed(taskId)]);
    expect(await take(stream, 1)).toEqual([{ id: "6", text: "task.completed" }]);
    expect((await stream.next()).done).toBe(true);
    await expect.poll(() => api.app.hub.listeners(taskId)).toBe(0);
  });

  it("sends an append of this process as handed over, without reading storage, byte for byte as stored", async () => {
    const taskId = await newTask();
    await append(taskId, [message("a")]);
    const stream = readSse(await open(taskId));
    expect(await take(stream, 1)).toEqual([{ id: "1", text: "a" }]);
    const reads = vi.spyOn(api.repos.events, "eventsAfter");
    try {
      await append(taskId, [message("b"), message("c")]);
      const live: string[] = [];
      while (live.length < 2) {
        const next = await stream.next();
        if (next.value?.data !== undefined) live.push(next.value.data);
      }
      expect(reads).not.toHaveBeenCalled();
      // The same bytes a reader of storage gets.
      const stored = await api.repos.events.eventsAfter(taskId, 1);
      expect(live).toEqual(stored.map((row) => JSON.stringify(row)));
      reads.mockClear();

      // An announcement it is already past (another process's NOTIFY arriving late): no read.
      api.app.hub.publish(taskId, { upTo: 3 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reads).not.toHaveBeenCalled();

      // Rows handed over with a gap before them: storage fills the gap, in order, once each.
      await api.repos.events.append(taskId, null, [message("d")]);
      await append(taskId, [message("e")]);
      expect(await take(stream, 2)).toEqual([
        { id: "4", text: "d" },
        { id: "5", text: "e" },
      ]);
      expect(reads).toHaveBeenCalled();
      await append(taskId, [completed(taskId)]);
      expect(await take(stream, 1)).toEqual([{ id: "6", text: "task.completed" }]);
      expect((await stream.next()).done).toBe(true);
    } finally {
      reads.mockRestore();
    }
  });

  it("resumes after Last-Event-ID or ?after= with no gap and no duplicate", async () => {
    const taskId = await newTask();
    await append(taskId, ["1", "2", "3"].map(message));
    const first = readSse(await open(taskId));
    expect(await take(first, 2)).toEqual([
      { id: "1", text: "1" },
      { id: "2", text: "2" },
    ]);
    await first.return(undefined);
    // The server notices the disconnect and drops the stream's subscription.
    await expect.poll(() => api.app.hub.listeners(taskId)).toBe(0);
    // Written while no one was connected.
    await append(taskId, ["4", "5"].map(message));
    const resumed = readSse(await open(taskId, { "Last-Event-ID": "2" }));
    expect((await take(resumed, 3)).map((m) => m.id)).toEqual(["3", "4", "5"]);
    await append(taskId, [message("6"), completed(taskId)]);
    expect((await take(resumed, 2)).map((m) => m.id)).toEqual(["6", "7"]);
    expect((await resumed.next()).done).toBe(true);

    // An ended task replays the rest and ends at once.
    const byQuery = readSse(await open(taskId, {}, "?after=5"));
    expect((await take(byQuery, 2)).map((m) => m.text)).toEqual(["6", "task.completed"]);
    expect((await byQuery.next()).done).toBe(true);
    const bad = await open(taskId, { "Last-Event-ID": "x" });
    expect(bad.status).toBe(400);
  });

  it("sends heartbeat comments while idle and picks up events it was not told about", async () => {
    const quick = await startTestApi(dialect, { heartbeatMs: 100 });
    try {
      const repositoryId = (await quick.repos.repositories.create({ name: "r", source: "/srv/r" })).id;
      const input = { repositoryId, ref: "main", mode: "code", prompt: "p", attempts: 1 } as const;
      const taskId = (await quick.repos.tasks.create(input)).task.id;
      const stream = readSse(await fetch(`${quick.url}/api/tasks/${taskId}/events`));
      expect((await stream.next()).value).toEqual({ comment: "heartbeat" });
      // Appended without publishing (as another process would): read on the next idle tick.
      await quick.repos.tasks.updateStatus(taskId, "completed");
      await quick.repos.events.append(taskId, null, [completed(taskId)]);
      expect((await take(stream, 1))[0]?.text).toBe("task.completed");
      expect((await stream.next()).done).toBe(true);
    } finally {
      await quick.close();
    }
  });
});

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventHub } from "../events/event-hub.js";
import { createRepos, type Repos } from "../storage/index.js";
import { openTestDatabase, testPostgresUrl, type TestDatabase } from "../../testing/databases.js";
import { listenForEvents, type EventListener } from "./pg-listener.js";

describe("the PostgreSQL event listener", () => {
  let database: TestDatabase;
  let repos: Repos;
  let listener: EventListener;
  const hub = new EventHub();
  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    repos = createRepos(database);
    listener = await listenForEvents(testPostgresUrl(), hub, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await listener?.close();
    await database?.cleanup();
  });

  it("wakes the task's streams with the last seq an append stored, so a stream past it need not read", async () => {
    const repositoryId = (await repos.repositories.create({ name: "r", source: "/srv/r" })).id;
    const input = { repositoryId, ref: "main", mode: "code", prompt: "p", attempts: 1 } as const;
    const taskId = (await repos.tasks.create(input)).task.id;
    const subscription = hub.subscribe(taskId);
    try {
      // Stored as another process would: only the database tells this one.
      await repos.events.append(taskId, null, [
        { type: "error", message: "one" },
        { type: "error", message: "two" },
      ]);
      expect(await subscription.wait(5_000)).toBe(true);
      expect(subscription.drain()).toEqual({ events: [], announcedUpTo: 2 });
      await repos.events.append(taskId, null, [{ type: "error", message: "three" }]);
      expect(await subscription.wait(5_000)).toBe(true);
      expect(subscription.drain().announcedUpTo).toBe(3);
    } finally {
      subscription.close();
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { newConversation, type QuireEvent, type TaskRecord, writeWorkspaceNote } from "@quire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepos, type Attempt, type Repos, type Task } from "../storage/index.js";
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../testing/databases.js";
import { AttemptTaskStore } from "./attempt-task-store.js";
import type { EventWriter } from "./event-writer.js";

describe.each(TEST_DIALECTS)("the server's task store on %s", (dialect) => {
  let database: TestDatabase;
  let repos: Repos;
  const homes: string[] = [];
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repos = createRepos(database);
  });
  afterAll(async () => {
    await database?.cleanup();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  /** A store for the attempt in a home of its own, as each worker has; events it is handed are collected. */
  function storeFor(task: Task, attempt: Attempt, events: QuireEvent[] = []): AttemptTaskStore {
    const home = mkdtempSync(path.join(os.tmpdir(), "quire-worker-home-"));
    homes.push(home);
    const writer = { push: (event: QuireEvent) => events.push(event) } as unknown as EventWriter;
    return new AttemptTaskStore({
      repos,
      home,
      task,
      attempt,
      sourceDir: "/src/repo",
      commit: "c0ffee",
      sandbox: "none",
      events: writer,
      diffInlineBytes: 1024,
    });
  }

  async function newAttempt(): Promise<{ task: Task; attempt: Attempt }> {
    const repository = await repos.repositories.create({ name: "r", source: "/src/repo" });
    const created = await repos.tasks.create({
      repositoryId: repository.id,
      ref: "main",
      mode: "code",
      prompt: "fix it",
      attempts: 1,
    });
    return { task: created.task, attempt: created.attempts[0]! };
  }

  const record = (id: string, workspace: string): TaskRecord => ({
    id,
    mode: "code",
    prompts: ["fix it"],
    sourceRoot: "/src/repo",
    baseCommit: "c0ffee",
    branch: `quire/${id}`,
    workspace,
    baseTree: "tree1",
    snapshotDir: "/snapshots/s1",
    overlay: true,
    readOnlyPaths: [],
    provider: "openai",
    model: "m",
    sandbox: "none",
    status: "running",
    finalMessage: null,
    createdAt: "",
    updatedAt: "",
  });

  it("has nothing to continue until a round is stored, then any worker's store continues it", async () => {
    const { task, attempt } = await newAttempt();
    const first = storeFor(task, attempt);
    expect(await repos.attempts.hasStoredRound(attempt.id)).toBe(false);
    await expect(first.load(attempt.id)).rejects.toThrow(/no stored round/);

    await first.create(record(attempt.id, path.join(first.taskDir(attempt.id), "repo")));
    const state = newConversation([]);
    state.items.push({ type: "message", role: "user", text: "fix it" });
    await first.saveConversation(attempt.id, state);
    // Not stored while the round goes: a cut-off round leaves nothing half-told.
    expect(await repos.attempts.hasStoredRound(attempt.id)).toBe(false);
    const diff = Array.from({ length: 200 }, (_, n) => `+line ${n}\n`).join("");
    await first.saveDiff(attempt.id, diff);
    expect(await repos.attempts.hasStoredRound(attempt.id)).toBe(true);

    // Another worker, another home: the record comes from the database, with no live workspace.
    const other = storeFor(task, attempt);
    const loaded = await other.load(attempt.id);
    expect(loaded).toMatchObject({
      id: attempt.id,
      baseCommit: "c0ffee",
      sourceRoot: "/src/repo",
      status: "completed",
    });
    expect(loaded.workspace).toBe(path.join(other.taskDir(attempt.id), "repo"));
    expect(loaded.snapshotDir).toBeUndefined();
    expect(loaded.reason).toBeUndefined();
    expect(await other.loadConversation(attempt.id)).toEqual(JSON.parse(JSON.stringify(state)));
    // Past the inline cap the row holds a head; the store gives the whole diff back from its blob.
    const row = await repos.attempts.get(attempt.id);
    expect(row?.diffBlob).toMatch(/^[0-9a-f]{64}$/);
    expect((await other.loadDiff(attempt.id)) === diff).toBe(true);
    expect(other.storedDiff()).toBeUndefined();
    expect(first.storedDiff()?.diffBlob).toBe(row?.diffBlob);
  });

  it("finds the live workspace in its own home only for the same base commit", async () => {
    const { task, attempt } = await newAttempt();
    const store = storeFor(task, attempt);
    const live = record(attempt.id, path.join(store.taskDir(attempt.id), "repo"));
    await store.create(live);
    await store.saveConversation(attempt.id, newConversation([]));
    await store.saveDiff(attempt.id, "");
    expect(await store.load(attempt.id)).toMatchObject({
      snapshotDir: "/snapshots/s1",
      overlay: true,
      baseTree: "tree1",
    });
    await writeWorkspaceNote(store.taskDir(attempt.id), { ...live, baseCommit: "another" });
    expect((await store.load(attempt.id)).snapshotDir).toBeUndefined();
  });

  it("hands events on, but not core's task.completed (the server writes its own), and keeps whole outputs as blobs", async () => {
    const { task, attempt } = await newAttempt();
    const events: QuireEvent[] = [];
    const store = storeFor(task, attempt, events);
    store.appendEvent(attempt.id, { type: "turn.started" });
    store.appendEvent(attempt.id, {
      type: "task.completed",
      task_id: attempt.id,
      status: "completed",
      final_message: null,
      diff: "",
      usage: newConversation([]).usage,
    });
    expect(events.map((event) => event.type)).toEqual(["turn.started"]);
    await store.saveCommandOutput(attempt.id, "item_3", "x".repeat(300_000));
    const kept = await repos.commandOutputs.get(task.id, "item_3", attempt.id);
    expect(kept?.bytes).toBe(300_000);
    expect(await repos.blobs.readText(kept!.blob)).toBe("x".repeat(300_000));
  });
});

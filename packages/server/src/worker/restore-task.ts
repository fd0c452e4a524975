/**
 * The server keeps each attempt's rounds in its database (diff and conversation, after every
 * round). A worker asked to continue an attempt whose local record is gone (its home was wiped,
 * or `quire gc` and more removed it) writes the record back from there; the follow-up then
 * rebuilds the workspace from the stored diff (core's tasks/rebuild.ts).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type ConversationState, LocalTaskStore, type SandboxBackendName, type TaskRecord } from "@quire/core";
import type { Attempt, Repos, Task } from "../storage/index.js";

/** After a round: its diff and the conversation the core saved, into the attempt's row. */
export async function saveRound(repos: Repos, store: LocalTaskStore, attemptId: string, diff: string): Promise<void> {
  const conversation = await readFile(path.join(store.taskDir(attemptId), "conversation.json"), "utf8").catch(
    () => null,
  );
  if (conversation === null) return;
  await repos.attempts.saveRound(attemptId, { diff, conversation });
}

/** Writes the attempt's local record back from the database; false when it has no stored round. */
export async function restoreLocalTask(options: {
  repos: Repos;
  store: LocalTaskStore;
  task: Task;
  attempt: Attempt;
  sourceDir: string;
  commit: string;
  sandbox: SandboxBackendName;
}): Promise<boolean> {
  const { repos, store, task, attempt } = options;
  const conversation = await repos.attempts.conversation(attempt.id);
  if (conversation === null) return false;
  const stored = await repos.attempts.get(attempt.id);
  const now = new Date().toISOString();
  const record: TaskRecord = {
    id: attempt.id,
    mode: task.mode,
    prompts: [task.prompt],
    sourceRoot: options.sourceDir,
    baseCommit: options.commit,
    branch: `quire/${attempt.id}`,
    workspace: path.join(store.taskDir(attempt.id), "repo"),
    readOnlyPaths: [],
    provider: "openai",
    model: task.model ?? "",
    sandbox: options.sandbox,
    status: "completed",
    finalMessage: stored?.finalMessage ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await store.create(record);
  await store.saveConversation(attempt.id, JSON.parse(conversation) as ConversationState);
  await store.saveDiff(attempt.id, stored?.diff ?? "");
  return true;
}

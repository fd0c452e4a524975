import { realpath } from "node:fs/promises";
import path from "node:path";
import { type ConversationState, newConversation } from "../agent/conversation.js";
import { type AgentLimits, runTurn } from "../agent/loop.js";
import type { QuireEvent, TaskStatus } from "../events.js";
import type { ModelClient, ModelStreamEvent } from "../models/types.js";
import { createSandbox } from "../sandbox/index.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import type { TaskMode } from "../tools/types.js";
import { LocalTaskStore, type TaskRecord } from "./store.js";
import { buildPreamble, buildToolset, systemPromptFor } from "./task-setup.js";
import { computeDiff, prepareWorkspace } from "./workspace.js";

export interface TaskRunOptions {
  home: string;
  prompt: string;
  model: ModelClient;
  sandbox: SandboxBackendName;
  limits: AgentLimits;
  contextWindow: number;
  agentsMd?: { fallbackNames?: string[]; maxBytes?: number };
  signal: AbortSignal;
  /** Every event, after it is on disk. */
  onEvent: (event: QuireEvent) => void;
  onModelEvent?: (event: ModelStreamEvent) => void;
  /** Called once the task exists (id, workspace), before the model is called. */
  onStarted?: (record: TaskRecord) => void;
}

export interface NewTaskOptions extends TaskRunOptions {
  /** A directory inside the user's checkout; the agent starts in the same place in its copy. */
  repo: string;
  mode: TaskMode;
}

export interface TaskResult {
  record: TaskRecord;
  status: TaskStatus;
  finalMessage: string | null;
  diff: string;
  reason?: string;
}

/** Creates a task from the user's checkout at HEAD and runs the first prompt. */
export async function startTask(options: NewTaskOptions): Promise<TaskResult> {
  const store = new LocalTaskStore(options.home);
  const id = store.newId();
  const branch = `quire/${id}`;
  await store.create(placeholderRecord(id, options));
  const prepared = await prepareWorkspace(options.repo, path.join(store.taskDir(id), "repo"), branch).catch(
    async (error: Error) => {
      await store.save({ ...placeholderRecord(id, options), status: "failed", reason: error.message });
      throw error;
    },
  );
  const relativeCwd = path.relative(prepared.sourceRoot, await realpath(options.repo));
  const record: TaskRecord = {
    ...placeholderRecord(id, options),
    sourceRoot: prepared.sourceRoot,
    baseCommit: prepared.baseCommit,
    workspace: prepared.workspace,
    readOnlyPaths: prepared.readOnlyPaths,
    sourceDirty: prepared.sourceDirty,
    branch,
  };
  await store.save(record);
  const cwd = path.join(prepared.workspace, relativeCwd.startsWith("..") ? "" : relativeCwd);
  const preamble = await buildPreamble({
    home: options.home,
    workspace: prepared.workspace,
    cwd,
    mode: options.mode,
    sandbox: options.sandbox,
    agentsMd: options.agentsMd,
  });
  return runTaskTurn(store, record, newConversation(preamble), cwd, options);
}

/** Sends a follow-up into an existing task: same workspace, same conversation. */
export async function resumeTask(options: TaskRunOptions & { id: string }): Promise<TaskResult> {
  const store = new LocalTaskStore(options.home);
  const record = await store.load(options.id);
  if (record.status === "running") {
    throw new Error(`task ${record.id} is still running (or its process died); wait for it to finish`);
  }
  const state = await store.loadConversation(record.id);
  record.prompts.push(options.prompt);
  record.provider = options.model.provider;
  record.model = options.model.model;
  record.sandbox = options.sandbox;
  return runTaskTurn(store, record, state, record.workspace, options);
}

async function runTaskTurn(
  store: LocalTaskStore,
  record: TaskRecord,
  state: ConversationState,
  cwd: string,
  options: TaskRunOptions,
): Promise<TaskResult> {
  const emit = (event: QuireEvent): void => {
    store.appendEvent(record.id, event);
    options.onEvent(event);
  };
  record.status = "running";
  await store.save(record);
  options.onStarted?.(record);
  emit({ type: "thread.started", thread_id: record.id });

  const sandbox = createSandbox(options.sandbox, {
    workspace: record.workspace,
    writable: record.mode === "code",
    network: false,
    readOnlyPaths: record.readOnlyPaths,
  });
  const toolset = buildToolset(record.mode);
  const outcome = await runTurn(state, options.prompt, {
    model: options.model,
    mode: record.mode,
    instructions: systemPromptFor(record.mode),
    tools: toolset.offered,
    hiddenTools: toolset.hidden,
    onTurnEnd: toolset.onTurnEnd,
    workspace: record.workspace,
    cwd,
    sandbox,
    limits: options.limits,
    contextWindow: options.contextWindow,
    promptCacheKey: record.id,
    signal: options.signal,
    emit,
    onModelEvent: options.onModelEvent,
  });

  await store.saveConversation(record.id, state);
  const diff = await computeDiff(record.workspace, record.baseCommit);
  await store.saveDiff(record.id, diff);
  record.status = outcome.status;
  record.reason = outcome.status === "completed" ? undefined : outcome.reason;
  record.finalMessage = outcome.finalMessage;
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
  return { record, status: outcome.status, finalMessage: outcome.finalMessage, diff, reason: record.reason };
}

function placeholderRecord(id: string, options: NewTaskOptions): TaskRecord {
  const now = new Date().toISOString();
  return {
    id,
    mode: options.mode,
    prompts: [options.prompt],
    sourceRoot: options.repo,
    baseCommit: "",
    branch: `quire/${id}`,
    workspace: "",
    readOnlyPaths: [],
    provider: options.model.provider,
    model: options.model.model,
    sandbox: options.sandbox,
    status: "running",
    finalMessage: null,
    createdAt: now,
    updatedAt: now,
  };
}

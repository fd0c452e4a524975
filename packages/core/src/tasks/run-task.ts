import { realpath } from "node:fs/promises";
import path from "node:path";
import { closeDanglingCalls, type AgentRun, runTurn } from "../agent/loop.js";
import { type ConversationState, newConversation } from "../agent/conversation.js";
import { createRedactor } from "../environments/redact.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { QuireEvent } from "../events.js";
import { connectMcpServers } from "../mcp/servers.js";
import { checkImageCount, ImageError, imageRef } from "../models/images.js";
import { reviewRequestPrompt } from "../review/reply.js";
import { reviewFollowUpPrompt, runReviewTurn } from "./review-turn.js";
import { openAgentNetwork } from "../network/index.js";
import { RefusalReporter } from "../network/refusal-reporter.js";
import { createSandbox } from "../sandbox/index.js";
import {
  diskBudgetOf,
  inspectSource,
  taskDiskUsage,
  type PreparedTask,
  prepareTaskWorkspace,
  sourceIsDirty,
} from "./prepare.js";
import { attachIntactWorkspace, rebuildWorkspace } from "./rebuild.js";
import { LocalTaskStore, type TaskRecord } from "./store.js";
import type { TaskStore } from "./task-store.js";
import { buildToolset } from "../tools/toolset.js";
import { buildPreamble, systemPromptFor } from "./task-setup.js";
import { redactedWorkspaceDiff } from "./diff-file.js";
import { applyDiffInSandbox } from "./apply-diff.js";
import { failBeforeTurn, failRoundKeepingResult, finishTask } from "./task-outcome.js";
import {
  type Redactor,
  environmentOf,
  eventSink,
  newRecord,
  releaseWorkspace,
  taskOverlayLayers,
  withEnvironmentLimits,
} from "./task-parts.js";

import type { NewTaskOptions, TaskResult, TaskRunOptions } from "./task-options.js";

export { defaultEnvironment } from "./task-parts.js";
export type { EnvironmentForTask, NewTaskOptions, TaskResult, TaskRunOptions } from "./task-options.js";

/** Creates a task from the user's checkout at HEAD, prepares its environment, runs the first prompt. */
export async function startTask(options: NewTaskOptions): Promise<TaskResult> {
  refuseImagesTheModelCannotTake(options);
  if ((options.mode === "review") !== (options.review !== undefined)) {
    throw new Error("a review task needs the change to review, and only a review task takes one");
  }
  const store = options.store ?? new LocalTaskStore(options.home);
  const id = options.id ?? LocalTaskStore.newId();
  const record = newRecord(id, options);
  if (options.review) record.reviewOf = options.review.description;
  await store.create(record);
  const redactor: Redactor = { redact: (text) => text };
  const emit = eventSink(store, record, options, redactor);
  const state = newConversation([]);
  try {
    emit({ type: "thread.started", thread_id: record.id });
    emitUserMessage(emit, state, options);
    const source = await inspectSource(options.repo, options.revision);
    const { environment, secretValues, snapshotScope } = await environmentOf(options, source.sourceRoot);
    redactor.redact = createRedactor(secretValues);
    Object.assign(record, { sourceRoot: source.sourceRoot, baseCommit: source.commit });
    // Uncommitted changes matter only when the task starts from the checkout's HEAD.
    const dirty = options.revision ? Promise.resolve(false) : sourceIsDirty(source.sourceRoot).catch(() => false);
    // Nothing of the user's checkout is bound in: the workspace's snapshot owns its objects.
    Object.assign(record, { readOnlyPaths: [], network: environment.network.mode });
    record.workspace = path.join(store.taskDir(id), "repo");
    const gate = options.preparationGate ?? ((prepare: () => Promise<PreparedTask>) => prepare());
    const prepared = await gate(() =>
      prepareTaskWorkspace({
        home: options.home,
        taskDir: store.taskDir(id),
        branch: record.branch,
        source,
        environment,
        snapshotScope,
        secretValues,
        sandbox: options.sandbox,
        container: options.container,
        ...(options.outbound ? { outbound: options.outbound } : {}),
        signal: options.signal,
        nextItemId: () => `item_${state.nextItemIndex++}`,
        emitItem: (phase, item) => emit({ type: `item.${phase}`, item }),
        redact: (text) => redactor.redact(text),
      }),
    );
    Object.assign(record, {
      workspace: prepared.workspace,
      baseTree: prepared.baseTree,
      snapshotDir: prepared.snapshotDir,
      overlay: prepared.overlay,
    });
    record.sourceDirty = await dirty;
    // The change under review becomes the workspace's uncommitted edits: the task's diff is it.
    if (options.review) {
      await applyDiffInSandbox({
        backend: options.sandbox,
        workspace: prepared.workspace,
        scratchDir: path.join(store.taskDir(id), "rebuild"),
        diff: options.review.diff,
      }).catch((error: Error) => {
        throw new Error(`the change to review does not apply to ${source.commit.slice(0, 12)}: ${error.message}`);
      });
    }
    await store.save(record);
    options.onStarted?.(record);
    const relativeCwd = path.relative(source.sourceRoot, await realpath(options.repo));
    const cwd = path.join(prepared.workspace, relativeCwd.startsWith("..") ? "" : relativeCwd);
    const preamble = await buildPreamble({
      home: options.home,
      workspace: prepared.workspace,
      cwd,
      mode: options.mode,
      sandbox: options.sandbox,
      network: environment.network,
      agentsMd: options.agentsMd,
    });
    state.items.push(...preamble);
    state.preambleCount = preamble.length;
    const turnPrompt = options.review ? reviewRequestPrompt(options.review) : options.prompt;
    return await runTaskTurn(store, record, state, cwd, options, emit, redactor, environment, turnPrompt);
  } catch (error) {
    if (record.status !== "running") throw error;
    return failBeforeTurn(store, record, state, options, emit, error as Error);
  } finally {
    await releaseWorkspace(store, record);
  }
}

/**
 * Sends a follow-up into an existing task: the same conversation, in its live workspace when that
 * is intact, else in one rebuilt from the stored diff (rebuild.ts).
 */
export async function resumeTask(options: TaskRunOptions & { id: string }): Promise<TaskResult> {
  refuseImagesTheModelCannotTake(options);
  const store = options.store ?? new LocalTaskStore(options.home);
  const record = await store.load(options.id);
  if (record.status === "running") {
    throw new Error(`task ${record.id} is still running (or its process died); wait for it to finish`);
  }
  if (!record.baseCommit)
    throw new Error(`task ${record.id} has no base commit to resume from (its preparation failed)`);
  const state = await store.loadConversation(record.id).catch(() => {
    throw new Error(`task ${record.id} has no conversation to resume (it stopped before its first turn)`);
  });
  closeDanglingCalls(state);
  record.prompts.push(options.prompt);
  record.provider = options.model.provider;
  record.model = options.model.model;
  record.sandbox = options.sandbox;
  const { environment, secretValues, snapshotScope } = await environmentOf(options, record.sourceRoot);
  const redactor: Redactor = { redact: createRedactor(secretValues) };
  const emit = eventSink(store, record, options, redactor);
  const taskDir = store.taskDir(record.id);
  try {
    options.onStarted?.(record);
    emit({ type: "thread.started", thread_id: record.id });
    emitUserMessage(emit, state, options);
    // The stored diff is the task's result; the workspace is only where the next round runs.
    const storedDiff = await store.loadDiff(record.id);
    const diskBudget = diskBudgetOf(environment);
    if (!(await attachIntactWorkspace({ record, taskDir, storedDiff, diskBudget }))) {
      try {
        const rebuilt = await rebuildWorkspace({
          record,
          storedDiff,
          prepare: {
            home: options.home,
            taskDir,
            environment,
            snapshotScope,
            secretValues,
            sandbox: options.sandbox,
            ...(options.container ? { container: options.container } : {}),
            ...(options.outbound ? { outbound: options.outbound } : {}),
            signal: options.signal,
            nextItemId: () => `item_${state.nextItemIndex++}`,
            emitItem: (phase, item) => emit({ type: `item.${phase}`, item }),
            redact: (text) => redactor.redact(text),
          },
        });
        Object.assign(record, {
          workspace: path.join(taskDir, "repo"),
          baseTree: rebuilt.baseTree,
          snapshotDir: rebuilt.snapshotDir,
          overlay: rebuilt.overlay,
          readOnlyPaths: [rebuilt.objectsDir],
        });
        await store.save(record);
      } catch (error) {
        return await failRoundKeepingResult(store, record, state, options, emit, error as Error, storedDiff);
      }
    }
    const turnPrompt = record.mode === "review" ? reviewFollowUpPrompt(options.prompt) : options.prompt;
    return await runTaskTurn(store, record, state, record.workspace, options, emit, redactor, environment, turnPrompt);
  } finally {
    await releaseWorkspace(store, record);
  }
}

/** Before anything runs: a text-only model is never sent an image, and a round's images are bounded. */
export function refuseImagesTheModelCannotTake(options: Pick<TaskRunOptions, "images" | "imageInput" | "model">): void {
  const count = options.images?.length ?? 0;
  if (count === 0) return;
  checkImageCount(count);
  if (options.imageInput === false) {
    throw new ImageError(
      `model ${options.model.model} is configured as text-only (image_input = false): it cannot be given images`,
    );
  }
}

/** A round begins with the person's words, before anything it does (setup included). */
function emitUserMessage(emit: (event: QuireEvent) => void, state: ConversationState, options: TaskRunOptions): void {
  const id = `item_${state.nextItemIndex++}`;
  const author = options.author ? { author: options.author } : {};
  const images = options.images?.length ? { images: options.images.map(imageRef) } : {};
  emit({ type: "item.completed", item: { id, type: "user_message", text: options.prompt, ...author, ...images } });
}

async function runTaskTurn(
  store: TaskStore,
  record: TaskRecord,
  state: ConversationState,
  cwd: string,
  options: TaskRunOptions,
  emit: (event: QuireEvent) => void,
  redactor: Redactor,
  environment: ResolvedEnvironment,
  /** What the model is sent (the person's words, or a review's request built around them). */
  turnPrompt: string,
): Promise<TaskResult> {
  record.status = "running";
  record.pid = process.pid;
  await store.save(record);
  // The agent phase's network: none, a filtering proxy for allowlisted domains, or any public host;
  // never the host's (network/agent-network.ts). Refusals are bounded: a command looping over
  // requests would otherwise fill the event log.
  const refusals = new RefusalReporter("", (message) =>
    emit({ type: "item.completed", item: { id: `item_${state.nextItemIndex++}`, type: "error", message } }),
  );
  const network = await openAgentNetwork(environment.network, {
    onDecision: refusals.onDecision,
    backend: options.sandbox,
    ...(options.outbound ? { outbound: options.outbound } : {}),
  });
  const sandbox = createSandbox(options.sandbox, {
    workspace: record.workspace,
    writable: record.mode === "code",
    readOnlyPaths: record.readOnlyPaths,
    ...(options.container ? { container: options.container } : {}),
    ...network.sandbox,
    limits: {
      processes: environment.limits.maxProcesses,
      memoryBytes: environment.limits.memoryBytes,
      cpuSeconds: environment.limits.cpuSeconds,
      fileSizeBytes: environment.limits.fileSizeBytes,
      diskBytes: environment.limits.diskBytes,
    },
    ...taskDiskUsage(store.taskDir(record.id), !!record.overlay),
  });
  const imageInput = options.imageInput !== false;
  const toolset = buildToolset(record.mode, { imageInput });
  // The environment's MCP servers: stdio ones inside this sandbox, URL ones if the policy allows.
  const mcp = await connectMcpServers({
    servers: environment.mcpServers ?? {},
    sandbox,
    cwd,
    mode: record.mode,
    network: environment.network,
    ...(options.outbound ? { outbound: options.outbound } : {}),
    onProblem: (message) =>
      emit({ type: "item.completed", item: { id: `item_${state.nextItemIndex++}`, type: "error", message } }),
  });
  // The conversation is kept on disk as the turn goes, so a killed process loses nothing that
  // --resume needs; writes are chained so that two never overlap.
  let saving = Promise.resolve();
  const saveConversation = (): void => {
    saving = saving.then(() => store.saveConversation(record.id, state)).catch(() => undefined);
  };
  const emitAndKeep = (event: QuireEvent): void => {
    emit(event);
    if (event.type !== "item.updated") saveConversation();
  };
  const run: AgentRun = {
    model: options.model,
    mode: record.mode,
    instructions: systemPromptFor(record.mode),
    tools: [...toolset.offered, ...mcp.tools],
    hiddenTools: toolset.hidden,
    onTurnEnd: toolset.onTurnEnd,
    workspace: record.workspace,
    cwd,
    env: environment.variables,
    sandbox,
    limits: withEnvironmentLimits(options.limits, environment),
    contextWindow: options.contextWindow,
    promptCacheKey: record.id,
    signal: options.signal,
    emit: emitAndKeep,
    redact: (text) => redactor.redact(text),
    onModelEvent: options.onModelEvent,
    keepCommandOutput: {
      maxBytes: environment.limits.outputBytes,
      save: (itemId, output) => store.saveCommandOutput(record.id, itemId, redactor.redact(output)),
    },
    imageInput,
  };
  const images = options.images ?? [];
  const outcome = await (
    record.mode === "review"
      ? runReviewTurn(state, turnPrompt, run, images).then(({ outcome: turn, review }) => ({ ...turn, review }))
      : runTurn(state, turnPrompt, run, images)
  ).finally(async () => {
    await mcp.close();
    await network.close();
    refusals.flush();
  });
  const cpu = sandbox.cpuSeconds?.() ?? null;
  if (cpu !== null) record.sandboxCpuSeconds = (record.sandboxCpuSeconds ?? 0) + cpu;
  await saving;
  await store.saveConversation(record.id, state);
  // Streamed to a file, then redacted in blocks of lines: git's output is never gathered whole.
  // From the overlay's upper layer when there is one: O(what the task changed), not O(repository).
  const diff = await redactedWorkspaceDiff({
    backend: options.sandbox,
    workspace: record.workspace,
    readOnlyPaths: record.readOnlyPaths,
    base: record.baseTree ?? record.baseCommit,
    ...taskOverlayLayers(store.taskDir(record.id), record),
    scratchFile: path.join(store.taskDir(record.id), "diff.raw"),
    redact: (text) => redactor.redact(text),
  });
  return finishTask(store, record, state, outcome, diff, emit);
}

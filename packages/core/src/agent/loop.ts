import type { QuireEvent, ThreadItem } from "../events.js";
import type { ImageInput } from "../models/images.js";
import type { ConversationItem, ModelClient, ModelStreamEvent, Usage } from "../models/types.js";
import { addUsage, emptyUsage } from "../models/types.js";
import type { Sandbox } from "../sandbox/types.js";
import { FatalToolError } from "../tools/errors.js";
import type { CommandOutputKeeper, TaskMode, Tool, ToolContext } from "../tools/types.js";
import { compactConversation, estimateTokens, needsCompaction } from "./compaction.js";
import { type ConversationState, recordUsage, totalTokens } from "./conversation.js";
import { dispatchToolCall } from "./dispatch.js";
import { toToolSpec } from "./tool-specs.js";

export interface AgentLimits {
  /** Model calls per task (across follow-ups). */
  maxTurns: number;
  /** Wall time of one run (one prompt or follow-up), in milliseconds. */
  maxWallTimeMs: number;
  /** Input + output tokens per task (across follow-ups). */
  maxTokens: number;
  commandTimeoutMs: number;
  maxCommandTimeoutMs: number;
  /** Bytes of one tool output given back to the model. */
  toolOutputBytes: number;
  /** Bytes of a task's diff kept inline (events, the server's rows); a larger one is stored as a file. */
  diffInlineBytes?: number;
}

export const defaultAgentLimits: AgentLimits = {
  maxTurns: 100,
  maxWallTimeMs: 60 * 60 * 1000,
  maxTokens: 10_000_000,
  commandTimeoutMs: 120_000,
  maxCommandTimeoutMs: 20 * 60 * 1000,
  toolOutputBytes: 16 * 1024,
};

export interface AgentRun {
  model: ModelClient;
  mode: TaskMode;
  instructions: string;
  /** Tools offered to the model, in order. */
  tools: Tool[];
  /** Tools that may be called without being offered (apply_patch in ask mode, to refuse it clearly). */
  hiddenTools?: Tool[];
  /** Called once when the turn ends, to close items that live for the whole turn (the plan). */
  onTurnEnd?: (emit: (item: ThreadItem) => void) => void;
  workspace: string;
  /** Where relative paths and commands start; inside the workspace. */
  cwd?: string;
  /** Variables given to every command (the environment's plain variables). */
  env?: Record<string, string>;
  sandbox: Sandbox;
  limits: AgentLimits;
  contextWindow: number;
  promptCacheKey: string;
  signal: AbortSignal;
  emit: (event: QuireEvent) => void;
  /** Removes secret values from tool output before the model (or the transcript) sees it. */
  redact?: (text: string) => string;
  /** Live model progress (text and reasoning deltas, retries) for readable logs. */
  onModelEvent?: (event: ModelStreamEvent) => void;
  /** Keeps a command's whole output with the task when the event's copy is cut. */
  keepCommandOutput?: CommandOutputKeeper;
  /** Whether the model takes images: view_image may then attach them (default: no). */
  imageInput?: boolean;
}

export type TurnOutcome =
  | { status: "completed"; finalMessage: string }
  | { status: "failed"; reason: string; finalMessage: string | null }
  | { status: "cancelled"; reason: string; finalMessage: string | null };

/**
 * One user turn: the prompt (or follow-up) is appended, then the model is called and its
 * tool calls run until it answers without tools, a budget runs out, or the run is cancelled.
 * Every request is the previous one plus new items (append-only) so prompt caches hit,
 * except after a compaction.
 */
export async function runTurn(
  state: ConversationState,
  prompt: string,
  userRun: AgentRun,
  images: ImageInput[] = [],
): Promise<TurnOutcome> {
  const started = Date.now();
  // The wall-time budget also interrupts a model call or a command that is still running.
  const deadline = AbortSignal.timeout(userRun.limits.maxWallTimeMs);
  const run: AgentRun = { ...userRun, signal: AbortSignal.any([userRun.signal, deadline]) };
  const toolSpecs = run.tools.map(toToolSpec);
  const toolsBytes = Buffer.byteLength(JSON.stringify(toolSpecs));
  const toolMap = new Map<string, Tool>([...(run.hiddenTools ?? []), ...run.tools].map((tool) => [tool.name, tool]));
  const offered = run.tools.map((tool) => tool.name);
  // Images view_image attached while a response's calls ran: shown with the next request.
  const shown: { image: ImageInput; path: string }[] = [];
  const context = toolContext(state, run, shown);
  let turnUsage: Usage = emptyUsage();
  let lastMessage: string | null = null;

  run.emit({ type: "turn.started" });
  state.items.push({ type: "message", role: "user", text: prompt, ...(images.length > 0 ? { images } : {}) });

  const finish = (outcome: TurnOutcome): TurnOutcome => {
    run.onTurnEnd?.((item) => run.emit({ type: "item.completed", item }));
    if (outcome.status === "completed") run.emit({ type: "turn.completed", usage: turnUsage });
    else run.emit({ type: "turn.failed", error: { message: outcome.reason } });
    return outcome;
  };

  try {
    for (;;) {
      const stop = budgetExceeded(state, run.limits, started);
      if (stop) return finish({ status: "failed", reason: stop, finalMessage: lastMessage });

      const estimate = estimateTokens(run.instructions, state.items, toolsBytes);
      if (needsCompaction(estimate, run.contextWindow)) {
        const compacted = await compactConversation(state, run.model, run.signal);
        recordUsage(state, compacted.usage, "compaction");
        turnUsage = addUsage(turnUsage, compacted.usage);
        const note = `Context compacted: about ${estimate} tokens of earlier conversation were summarised to stay within the ${run.contextWindow}-token window.`;
        run.emit({ type: "item.completed", item: { id: context.nextItemId(), type: "reasoning", text: note } });
      }

      const response = await run.model.complete(
        {
          instructions: run.instructions,
          items: state.items,
          tools: toolSpecs,
          promptCacheKey: run.promptCacheKey,
          signal: run.signal,
        },
        run.onModelEvent,
      );
      state.turnsUsed += 1;
      recordUsage(state, response.usage, "turn");
      turnUsage = addUsage(turnUsage, response.usage);
      state.items.push(...response.items);

      const calls = emitResponseItems(response.items, context, run.emit);
      const message = lastAssistantText(response.items);
      if (message !== null) lastMessage = message;
      if (calls.length === 0) return finish({ status: "completed", finalMessage: lastMessage ?? "" });

      // Several calls in one response all run, in order; each result is fed back.
      for (const call of calls) {
        const output = await dispatchToolCall(call, toolMap, offered, context);
        state.items.push({
          type: "tool_result",
          callId: call.callId,
          output: run.redact ? run.redact(output) : output,
        });
      }
      if (shown.length > 0) {
        const text = `Images attached by view_image: ${shown.map((entry) => entry.path).join(", ")}`;
        state.items.push({ type: "message", role: "user", text, images: shown.map((entry) => entry.image) });
        shown.length = 0;
      }
      // A spent disk budget ends the task: the sandbox refuses every further command anyway.
      const spent = run.sandbox.exhausted?.() ?? null;
      if (spent !== null) return finish({ status: "failed", reason: spent, finalMessage: lastMessage });
    }
  } catch (error) {
    closeDanglingCalls(state);
    if (deadline.aborted && !userRun.signal.aborted) {
      const reason = `time budget exhausted: ran ${Math.round((Date.now() - started) / 1000)} s of ${Math.round(run.limits.maxWallTimeMs / 1000)} s allowed`;
      return finish({ status: "failed", reason, finalMessage: lastMessage });
    }
    if (run.signal.aborted) {
      return finish({ status: "cancelled", reason: "cancelled by the user", finalMessage: lastMessage });
    }
    if (error instanceof FatalToolError) {
      run.emit({ type: "error", message: error.message });
      return finish({ status: "failed", reason: error.message, finalMessage: lastMessage });
    }
    const reason = `model request failed: ${(error as Error).message}`;
    run.emit({ type: "error", message: reason });
    return finish({ status: "failed", reason, finalMessage: lastMessage });
  }
}

function toolContext(
  state: ConversationState,
  run: AgentRun,
  shown: { image: ImageInput; path: string }[],
): ToolContext {
  return {
    mode: run.mode,
    workspace: run.workspace,
    cwd: run.cwd,
    env: run.env,
    sandbox: run.sandbox,
    signal: run.signal,
    limits: {
      defaultTimeoutMs: run.limits.commandTimeoutMs,
      maxTimeoutMs: run.limits.maxCommandTimeoutMs,
      maxOutputBytes: run.limits.toolOutputBytes,
    },
    ...(run.keepCommandOutput ? { keepOutput: run.keepCommandOutput } : {}),
    nextItemId: () => `item_${state.nextItemIndex++}`,
    emitItem: (phase, item) => run.emit({ type: `item.${phase}`, item }),
    ...(run.imageInput ? { attachImage: (image: ImageInput, path: string) => shown.push({ image, path }) } : {}),
  };
}

function budgetExceeded(state: ConversationState, limits: AgentLimits, started: number): string | null {
  if (state.turnsUsed >= limits.maxTurns) {
    return `turn budget exhausted: ${state.turnsUsed} model turns used of ${limits.maxTurns} allowed`;
  }
  const elapsed = Date.now() - started;
  if (elapsed >= limits.maxWallTimeMs) {
    return `time budget exhausted: ran ${Math.round(elapsed / 1000)} s of ${Math.round(limits.maxWallTimeMs / 1000)} s allowed`;
  }
  const tokens = totalTokens(state.usage);
  if (tokens >= limits.maxTokens) {
    return `token budget exhausted: ${tokens} tokens used of ${limits.maxTokens} allowed`;
  }
  return null;
}

/** Emits reasoning and messages as completed items; returns the tool calls to run. */
function emitResponseItems(
  items: ConversationItem[],
  context: ToolContext,
  emit: (event: QuireEvent) => void,
): { callId: string; name: string; arguments: string }[] {
  const calls: { callId: string; name: string; arguments: string }[] = [];
  for (const item of items) {
    if (item.type === "reasoning" && item.text.trim() !== "") {
      emit({ type: "item.completed", item: { id: context.nextItemId(), type: "reasoning", text: item.text } });
    } else if (item.type === "message" && item.role === "assistant" && item.text.trim() !== "") {
      emit({ type: "item.completed", item: { id: context.nextItemId(), type: "agent_message", text: item.text } });
    } else if (item.type === "tool_call") {
      calls.push({ callId: item.callId, name: item.name, arguments: item.arguments });
    }
  }
  return calls;
}

function lastAssistantText(items: ConversationItem[]): string | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.type === "message" && item.role === "assistant" && item.text.trim() !== "") return item.text;
  }
  return null;
}

/**
 * A cancelled or failed turn can leave tool calls without results; providers reject such a
 * conversation, so each gets a result saying what happened, keeping `--resume` possible.
 */
export function closeDanglingCalls(state: ConversationState): void {
  const answered = new Set(state.items.flatMap((item) => (item.type === "tool_result" ? [item.callId] : [])));
  for (const item of [...state.items]) {
    if (item.type === "tool_call" && !answered.has(item.callId)) {
      state.items.push({
        type: "tool_result",
        callId: item.callId,
        output: "aborted: the run stopped before this call finished",
      });
    }
  }
}

import type { TaskUsage } from "../events.js";
import type { ConversationItem, Usage } from "../models/types.js";
import { addUsage, emptyUsage } from "../models/types.js";

/**
 * Everything needed to continue a task later (`quire exec --resume`): the items the model
 * has seen, how many thread items were numbered, and the usage so far.
 */
export interface ConversationState {
  items: ConversationItem[];
  /** Items at the start that carry AGENTS.md and the environment context; kept by compaction. */
  preambleCount: number;
  nextItemIndex: number;
  usage: TaskUsage;
  /** Model calls already made in this task, so budgets span follow-ups. */
  turnsUsed: number;
}

/** A task's usage before its first model call. */
export function emptyTaskUsage(): TaskUsage {
  return { ...emptyUsage(), model_calls: 0, per_call: [] };
}

export function newConversation(preamble: ConversationItem[]): ConversationState {
  return {
    items: [...preamble],
    preambleCount: preamble.length,
    nextItemIndex: 0,
    usage: emptyTaskUsage(),
    turnsUsed: 0,
  };
}

export function recordUsage(state: ConversationState, usage: Usage, kind: "turn" | "compaction"): void {
  const total = addUsage(state.usage, usage);
  state.usage = {
    ...total,
    model_calls: state.usage.model_calls + 1,
    per_call: [...state.usage.per_call, { ...usage, kind }],
  };
}

export function totalTokens(usage: Usage): number {
  return usage.input_tokens + usage.output_tokens;
}

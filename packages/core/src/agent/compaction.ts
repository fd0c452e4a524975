import { loadPrompt } from "../instructions/prompts.js";
import { IMAGE_TOKEN_ESTIMATE } from "../models/images.js";
import type { ConversationItem, ModelClient, Usage } from "../models/types.js";
import type { ConversationState } from "./conversation.js";

/** Compact when the next request is estimated to fill this share of the context window. */
export const COMPACTION_THRESHOLD = 0.8;
/** User prompts kept verbatim after compaction, newest first, up to this many bytes. */
const KEPT_USER_PROMPT_BYTES = 20_000;

/** Rough size of a request in tokens: about four bytes of JSON per token. */
export function estimateTokens(instructions: string, items: ConversationItem[], toolsBytes: number): number {
  // An image's base64 says nothing of its tokens: it counts a flat figure instead.
  let images = 0;
  const withoutImages = items.map((item) => {
    if (item.type !== "message" || !item.images?.length) return item;
    images += item.images.length;
    return { ...item, images: [] };
  });
  const bytes = Buffer.byteLength(instructions) + Buffer.byteLength(JSON.stringify(withoutImages)) + toolsBytes;
  return Math.ceil(bytes / 4) + images * IMAGE_TOKEN_ESTIMATE;
}

export function needsCompaction(estimatedTokens: number, contextWindow: number): boolean {
  return estimatedTokens > contextWindow * COMPACTION_THRESHOLD;
}

/**
 * Replaces everything after the preamble (AGENTS.md, environment context) with the user's
 * own prompts and a model-written summary, so the task can go on in a fresh window.
 * This is the one extra model call the design allows besides the turns.
 */
export async function compactConversation(
  state: ConversationState,
  model: ModelClient,
  signal: AbortSignal,
): Promise<{ usage: Usage; summary: string }> {
  const response = await model.complete({
    instructions: loadPrompt("compact"),
    items: [
      ...state.items,
      { type: "message", role: "user", text: "Summarise the conversation so far as instructed, for a continuation." },
    ],
    tools: [],
    signal,
  });
  const summary = response.items
    .filter((item): item is Extract<ConversationItem, { type: "message" }> => item.type === "message")
    .map((item) => item.text)
    .join("\n")
    .trim();
  const preamble = state.items.slice(0, state.preambleCount);
  const userPrompts = keptUserPrompts(state.items.slice(state.preambleCount));
  state.items = [
    ...preamble,
    ...userPrompts,
    {
      type: "message",
      role: "user",
      text: `<conversation_summary>\nEarlier turns of this task were compacted. Summary of the work so far:\n${summary || "(the model returned no summary)"}\n</conversation_summary>`,
    },
  ];
  return { usage: response.usage, summary };
}

function keptUserPrompts(items: ConversationItem[]): ConversationItem[] {
  const prompts = items.filter(
    (item): item is Extract<ConversationItem, { type: "message" }> =>
      item.type === "message" && item.role === "user" && !item.text.startsWith("<conversation_summary>"),
  );
  const kept: ConversationItem[] = [];
  let bytes = 0;
  for (const prompt of prompts.reverse()) {
    bytes += Buffer.byteLength(prompt.text);
    if (bytes > KEPT_USER_PROMPT_BYTES && kept.length > 0) break;
    kept.unshift(prompt);
  }
  return kept;
}

/**
 * A review round: one agent turn that must end with the findings in the structured form. A reply
 * that does not fit is asked for again once (the same conversation, told what was wrong); a
 * second misfit fails the round with a reason that says so. The accepted result is emitted as a
 * Quire `review` item after the turn, beside the final `agent_message` that carried it.
 */
import { type AgentRun, runTurn, type TurnOutcome } from "../agent/loop.js";
import type { ImageInput } from "../models/images.js";
import type { ConversationState } from "../agent/conversation.js";
import type { ReviewResult } from "../review/findings.js";
import { parseReviewReply, reviewRetryPrompt } from "../review/reply.js";

export interface ReviewTurnOutcome {
  outcome: TurnOutcome;
  review?: ReviewResult;
}

export async function runReviewTurn(
  state: ConversationState,
  prompt: string,
  run: AgentRun,
  /** Images sent with the person's words (the first request only). */
  images: ImageInput[] = [],
): Promise<ReviewTurnOutcome> {
  let outcome = await runTurn(state, prompt, run, images);
  if (outcome.status !== "completed") return { outcome };
  let reply = parseReviewReply(outcome.finalMessage);
  if (!reply.ok) {
    outcome = await runTurn(state, reviewRetryPrompt(reply.problem), run);
    if (outcome.status !== "completed") return { outcome };
    reply = parseReviewReply(outcome.finalMessage);
  }
  const id = `item_${state.nextItemIndex++}`;
  if (!reply.ok) {
    const reason = `the review's reply did not fit the findings form, asked twice: ${reply.problem}`;
    run.emit({ type: "item.completed", item: { id, type: "error", message: reason } });
    return { outcome: { status: "failed", reason, finalMessage: outcome.finalMessage } };
  }
  run.emit({ type: "item.completed", item: { id, type: "review", ...reply.result } });
  return { outcome, review: reply.result };
}

/** A follow-up in a review task is answered as a review again: the whole, updated set of findings. */
export function reviewFollowUpPrompt(text: string): string {
  return `${text}\n\nEnd with the review's JSON object as described in your instructions: every finding that still stands, updated.`;
}

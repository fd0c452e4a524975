/**
 * The Anthropic Messages API as the scripted server speaks it: message_start, ping, content
 * blocks (thinking with its signature, text, tool_use with input_json_delta pieces),
 * message_delta with the stop reason and output usage, message_stop.
 */
import type { PlannedReply, SseFrame, WireFormat } from "./scripted-reply.js";
import { pieces } from "./scripted-reply.js";

type Json = Record<string, unknown>;

/** Anthropic's input_tokens excludes cache reads; the scripted usage counts the total. */
function startUsage(plan: PlannedReply): Json {
  const u = plan.usage;
  return {
    input_tokens: u.input_tokens - u.cached_input_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: u.cached_input_tokens,
    output_tokens: 1,
  };
}

function outputUsage(plan: PlannedReply): Json {
  return {
    output_tokens: plan.usage.output_tokens,
    output_tokens_details: { thinking_tokens: plan.usage.reasoning_output_tokens },
  };
}

const signature = (plan: PlannedReply) => `sig_${Buffer.from(plan.reasoning).toString("base64")}`;
const stopReason = (plan: PlannedReply) => (plan.toolCalls.length > 0 ? "tool_use" : "end_turn");

/** The finished content blocks, in order: thinking, text, tool uses. */
function blocks(plan: PlannedReply): Json[] {
  const out: Json[] = [];
  if (plan.reasoning) out.push({ type: "thinking", thinking: plan.reasoning, signature: signature(plan) });
  if (plan.text) out.push({ type: "text", text: plan.text, citations: null });
  for (const call of plan.toolCalls) {
    // Non-streaming bodies carry a parsed object; invalid JSON can only be represented when streamed.
    let input: unknown;
    try {
      input = JSON.parse(call.arguments);
    } catch {
      input = { _invalid_json: call.arguments };
    }
    out.push({ type: "tool_use", id: call.id, name: call.name, input });
  }
  return out;
}

function message(plan: PlannedReply, content: Json[], done: boolean): Json {
  return {
    id: `msg_${plan.id}`,
    type: "message",
    role: "assistant",
    model: plan.model,
    content,
    stop_reason: done ? stopReason(plan) : null,
    stop_sequence: null,
    usage: done ? { ...startUsage(plan), ...outputUsage(plan) } : startUsage(plan),
  };
}

function stream(plan: PlannedReply): SseFrame[] {
  const frames: SseFrame[] = [];
  const emit = (type: string, fields: Json = {}) =>
    frames.push({ event: type, data: JSON.stringify({ type, ...fields }) });
  emit("message_start", { message: message(plan, [], false) });
  emit("ping");
  let index = 0;
  const block = (start: Json, deltas: Json[]) => {
    emit("content_block_start", { index, content_block: start });
    for (const delta of deltas) emit("content_block_delta", { index, delta });
    emit("content_block_stop", { index });
    index++;
  };
  if (plan.reasoning) {
    block({ type: "thinking", thinking: "", signature: "" }, [
      ...pieces(plan.reasoning).map((thinking) => ({ type: "thinking_delta", thinking })),
      { type: "signature_delta", signature: signature(plan) },
    ]);
  }
  if (plan.text) {
    block(
      { type: "text", text: "", citations: null },
      pieces(plan.text).map((text) => ({ type: "text_delta", text })),
    );
  }
  for (const call of plan.toolCalls) {
    block(
      { type: "tool_use", id: call.id, name: call.name, input: {} },
      pieces(call.arguments).map((partial_json) => ({ type: "input_json_delta", partial_json })),
    );
  }
  emit("message_delta", { delta: { stop_reason: stopReason(plan), stop_sequence: null }, usage: outputUsage(plan) });
  emit("message_stop");
  return frames;
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

export const messagesWire: WireFormat = {
  toolIdPrefix: "toolu_",
  stream,
  json: (plan) => message(plan, blocks(plan), true),
  error: (status, message) => ({
    type: "error",
    error: { type: ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"), message },
  }),
};

/**
 * OpenAI Chat Completions as the scripted server speaks it: `data: {chunk}` lines, reasoning in
 * `reasoning_content` (as vLLM and DeepSeek send it), tool calls split across chunks, a final
 * usage chunk with no choices when `stream_options.include_usage` is set, then `data: [DONE]`.
 */
import { field, type PlannedReply, pieces, type SseFrame, type WireFormat } from "./scripted-reply.js";

type Json = Record<string, unknown>;

function usage(plan: PlannedReply): Json {
  const u = plan.usage;
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_output_tokens },
  };
}

const finishReason = (plan: PlannedReply) => (plan.toolCalls.length > 0 ? "tool_calls" : "stop");

function stream(plan: PlannedReply, request: unknown): SseFrame[] {
  const frames: SseFrame[] = [];
  const chunk = (choices: Json[], extra: Json = {}) =>
    frames.push({
      data: JSON.stringify({
        id: `chatcmpl-${plan.id}`,
        object: "chat.completion.chunk",
        created: plan.created,
        model: plan.model,
        choices,
        ...extra,
      }),
    });
  const delta = (d: Json) => chunk([{ index: 0, delta: d, logprobs: null, finish_reason: null }]);
  delta({ role: "assistant", content: "" });
  for (const piece of pieces(plan.reasoning)) delta({ reasoning_content: piece });
  for (const piece of pieces(plan.text)) delta({ content: piece });
  for (const [index, call] of plan.toolCalls.entries()) {
    delta({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] });
    for (const piece of pieces(call.arguments)) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
  }
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(plan) }]);
  if (field(request, "stream_options", "include_usage") === true) chunk([], { usage: usage(plan) });
  frames.push({ data: "[DONE]" });
  return frames;
}

function json(plan: PlannedReply): Json {
  const toolCalls = plan.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: `chatcmpl-${plan.id}`,
    object: "chat.completion",
    created: plan.created,
    model: plan.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: plan.text || null,
          ...(plan.reasoning ? { reasoning_content: plan.reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(plan),
      },
    ],
    usage: usage(plan),
  };
}

export const chatWire: WireFormat = {
  toolIdPrefix: "call_",
  stream,
  json,
  error: (status, message) => ({
    error: {
      message,
      type: status >= 500 ? "server_error" : "invalid_request_error",
      param: null,
      code: status === 401 ? "invalid_api_key" : status === 429 ? "rate_limit_exceeded" : null,
    },
  }),
};

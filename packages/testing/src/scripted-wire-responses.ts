/** The OpenAI Responses API as the scripted server speaks it: events framed as the real API frames them. */
import { field, type PlannedReply, pieces, type SseFrame, type WireFormat } from "./scripted-reply.js";

type Json = Record<string, unknown>;

function usage(plan: PlannedReply): Json {
  const u = plan.usage;
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_input_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_output_tokens },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

function response(plan: PlannedReply, status: string, output: Json[], withUsage: boolean): Json {
  return {
    id: `resp_${plan.id}`,
    object: "response",
    created_at: plan.created,
    status,
    error: null,
    incomplete_details: null,
    model: plan.model,
    output,
    parallel_tool_calls: true,
    store: false,
    usage: withUsage ? usage(plan) : null,
  };
}

function wantsEncryptedReasoning(request: unknown): boolean {
  const include = field(request, "include");
  return Array.isArray(include) && include.includes("reasoning.encrypted_content");
}

/** The finished output items, in order: reasoning, message, function calls. */
function outputItems(plan: PlannedReply, request: unknown): Json[] {
  const items: Json[] = [];
  if (plan.reasoning) {
    items.push({
      id: `rs_${plan.id}`,
      type: "reasoning",
      summary: [{ type: "summary_text", text: plan.reasoning }],
      ...(wantsEncryptedReasoning(request)
        ? { encrypted_content: `enc_${Buffer.from(plan.reasoning).toString("base64")}` }
        : {}),
    });
  }
  if (plan.text) {
    items.push({
      id: `msg_${plan.id}`,
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: plan.text, annotations: [], logprobs: [] }],
    });
  }
  for (const [i, call] of plan.toolCalls.entries()) {
    items.push({
      id: `fc_${plan.id}_${i}`,
      type: "function_call",
      status: "completed",
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
    });
  }
  return items;
}

function stream(plan: PlannedReply, request: unknown): SseFrame[] {
  const frames: SseFrame[] = [];
  const emit = (type: string, fields: Json) =>
    frames.push({ event: type, data: JSON.stringify({ type, sequence_number: frames.length, ...fields }) });
  emit("response.created", { response: response(plan, "in_progress", [], false) });
  emit("response.in_progress", { response: response(plan, "in_progress", [], false) });
  const items = outputItems(plan, request);
  for (const [output_index, item] of items.entries()) {
    const item_id = item.id;
    const at = { item_id, output_index };
    if (item.type === "reasoning") {
      emit("response.output_item.added", { output_index, item: { id: item_id, type: "reasoning", summary: [] } });
      const part = { type: "summary_text", text: plan.reasoning };
      emit("response.reasoning_summary_part.added", { ...at, summary_index: 0, part: { ...part, text: "" } });
      for (const delta of pieces(plan.reasoning)) {
        emit("response.reasoning_summary_text.delta", { ...at, summary_index: 0, delta });
      }
      emit("response.reasoning_summary_text.done", { ...at, summary_index: 0, text: plan.reasoning });
      emit("response.reasoning_summary_part.done", { ...at, summary_index: 0, part });
    } else if (item.type === "message") {
      emit("response.output_item.added", { output_index, item: { ...item, status: "in_progress", content: [] } });
      const part = { type: "output_text", text: plan.text, annotations: [], logprobs: [] };
      emit("response.content_part.added", { ...at, content_index: 0, part: { ...part, text: "" } });
      for (const delta of pieces(plan.text)) {
        emit("response.output_text.delta", { ...at, content_index: 0, delta, logprobs: [] });
      }
      emit("response.output_text.done", { ...at, content_index: 0, text: plan.text, logprobs: [] });
      emit("response.content_part.done", { ...at, content_index: 0, part });
    } else {
      emit("response.output_item.added", { output_index, item: { ...item, status: "in_progress", arguments: "" } });
      const args = String(item.arguments);
      for (const delta of pieces(args)) emit("response.function_call_arguments.delta", { ...at, delta });
      emit("response.function_call_arguments.done", { ...at, arguments: args });
    }
    emit("response.output_item.done", { output_index, item });
  }
  emit("response.completed", { response: response(plan, "completed", items, true) });
  return frames;
}

export const responsesWire: WireFormat = {
  toolIdPrefix: "call_",
  stream,
  json: (plan, request) => response(plan, "completed", outputItems(plan, request), true),
  error: (status, message) => ({
    error: {
      message,
      type: status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error",
      param: null,
      code: status === 401 ? "invalid_api_key" : status === 429 ? "rate_limit_exceeded" : null,
    },
  }),
};

/**
 * What a test scripts the model to answer, and the same reply with every default filled in,
 * ready to be written in any of the three wire formats.
 */
/** Token counts as every provider's wire reports them (the shape of core's `Usage`). */
export interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export interface ScriptedToolCall {
  name: string;
  /** A string is sent verbatim (so tests can send invalid JSON); an object is JSON-encoded. */
  arguments: string | Record<string, unknown>;
  id?: string;
}

/** Quire's usage semantics: input_tokens is the total input, cached ones included. */
export type ScriptedUsage = Partial<Usage>;

export type ScriptedFault =
  /** Answer with this HTTP status (and an error body in the route's format, unless `body` is given). */
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  /** Send part of a response, then destroy the socket. */
  | { kind: "cut" }
  /** Answer 200 with a body that cannot be parsed: a stream's second event (or the JSON body) cut in half. */
  | { kind: "garbage" };

export interface ScriptedReply {
  text?: string;
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  /** Unset fields are derived from the sizes of the request and the reply. */
  usage?: ScriptedUsage;
  /** Wait this long before answering. */
  delayMs?: number;
  fault?: ScriptedFault;
}

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface PlannedReply {
  /** Unique per request; item ids are derived from it. */
  id: string;
  model: string;
  /** Unix seconds, as the APIs report creation times. */
  created: number;
  text: string;
  reasoning: string;
  toolCalls: PlannedToolCall[];
  usage: Usage;
}

const tokensOf = (chars: number): number => Math.ceil(chars / 4);

export function planReply(
  reply: ScriptedReply,
  context: { index: number; model: string; rawBytes: number; toolIdPrefix: string },
): PlannedReply {
  const text = reply.text ?? "";
  const reasoning = reply.reasoning ?? "";
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `${context.toolIdPrefix}${context.index}_${i}`,
    name: call.name,
    arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
  }));
  const given = reply.usage ?? {};
  const reasoningTokens = given.reasoning_output_tokens ?? tokensOf(reasoning.length);
  const answerChars = text.length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return {
    id: `${context.index}`,
    model: context.model,
    created: Math.floor(Date.now() / 1000),
    text,
    reasoning,
    toolCalls,
    usage: {
      input_tokens: given.input_tokens ?? Math.max(1, tokensOf(context.rawBytes)),
      cached_input_tokens: given.cached_input_tokens ?? 0,
      output_tokens: given.output_tokens ?? Math.max(1, tokensOf(answerChars) + reasoningTokens),
      reasoning_output_tokens: reasoningTokens,
    },
  };
}

/** One server-sent event; `data` is already serialised. */
export interface SseFrame {
  event?: string;
  data: string;
}

export function formatFrame(frame: SseFrame): string {
  return `${frame.event ? `event: ${frame.event}\n` : ""}data: ${frame.data}\n\n`;
}

/** Splits text into a few pieces (at code point boundaries) so that clients see real deltas. */
export function pieces(text: string, count = 3): string[] {
  const chars = Array.from(text);
  const size = Math.max(1, Math.ceil(chars.length / count));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

/** Reads a nested field of a parsed JSON body without trusting its shape. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** How one API frames replies and errors. */
export interface WireFormat {
  toolIdPrefix: string;
  stream(plan: PlannedReply, request: unknown): SseFrame[];
  json(plan: PlannedReply, request: unknown): unknown;
  error(status: number, message: string): unknown;
}

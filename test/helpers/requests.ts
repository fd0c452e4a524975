import type { RecordedRequest } from "@quire/testing";

/**
 * The conversation part of a recorded request, whatever the wire format, without the
 * cache_control markers that Anthropic requests move to the newest block each turn.
 */
export function conversationOf(request: RecordedRequest): unknown[] {
  const body = request.body as { input?: unknown[]; messages?: unknown[] };
  const items = request.route === "responses" ? (body.input ?? []) : (body.messages ?? []);
  return JSON.parse(JSON.stringify(items, (key, value) => (key === "cache_control" ? undefined : value))) as unknown[];
}

/** Text of everything the model was sent, for "what reached the model" assertions. */
export function requestText(request: RecordedRequest): string {
  return JSON.stringify(request.body);
}

/** True when `next`'s conversation starts with all of `previous`'s. */
export function isAppendOnlyExtension(previous: RecordedRequest, next: RecordedRequest): boolean {
  const before = conversationOf(previous);
  const after = conversationOf(next);
  if (after.length < before.length) return false;
  return before.every((item, index) => {
    const other = after[index];
    // Anthropic merges consecutive user blocks into one message; compare the earlier one as a prefix.
    if (index === before.length - 1 && request(previous) === "messages") return messagePrefix(item, other);
    return JSON.stringify(item) === JSON.stringify(other);
  });
}

function request(r: RecordedRequest): string {
  return r.route;
}

function messagePrefix(item: unknown, other: unknown): boolean {
  const a = item as { role?: string; content?: unknown };
  const b = other as { role?: string; content?: unknown };
  if (a.role !== b.role) return false;
  if (!Array.isArray(a.content) || !Array.isArray(b.content)) return JSON.stringify(a) === JSON.stringify(b);
  return a.content.every((block, i) => JSON.stringify(block) === JSON.stringify((b.content as unknown[])[i]));
}

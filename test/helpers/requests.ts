import { ONE_PIXEL_PNG, responsesBody, type RecordedRequest } from "@quire/testing";

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

/** The input_image parts of the user messages a Responses request carried. */
export function imagesSent(request: RecordedRequest): unknown[] {
  const input = responsesBody(request).input as { type?: string; role?: string; content?: unknown }[];
  return input.flatMap((item) =>
    item.role === "user" && Array.isArray(item.content)
      ? item.content.filter((part: { type: string }) => part.type === "input_image")
      : [],
  );
}

/** The input_image part of `ONE_PIXEL_PNG` as the Responses wire format carries it. */
export const inputImage = {
  type: "input_image",
  image_url: `data:image/png;base64,${ONE_PIXEL_PNG.toString("base64")}`,
  detail: "auto",
};

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

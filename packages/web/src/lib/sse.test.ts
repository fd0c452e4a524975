import { describe, expect, it } from "vitest";
import { SseParser, type SseMessage } from "./sse";

function parse(chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = new SseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return messages;
}

describe("the SSE parser", () => {
  it("reads ids and data, across chunk boundaries, skipping comments", () => {
    expect(parse(["id: 1\nda", 'ta: {"a":1}\n\n: heartbeat\n\nid: 2\ndata: x\n', "\n"])).toEqual([
      { id: "1", data: '{"a":1}' },
      { id: "2", data: "x" },
    ]);
  });

  it("joins multi-line data and accepts CRLF line ends", () => {
    expect(parse(["id:7\r\ndata: one\r\ndata: two\r\n\r\n"])).toEqual([{ id: "7", data: "one\ntwo" }]);
  });

  it("keeps an unfinished message until its blank line comes (a cut connection delivers none of it)", () => {
    expect(parse(['id: 1\ndata: whole\n\nid: 2\ndata: {"cut'])).toEqual([{ id: "1", data: "whole" }]);
  });
});

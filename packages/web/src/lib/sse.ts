/**
 * A minimal Server-Sent Events parser for fetch bodies. We read SSE with fetch rather than
 * EventSource so that reconnecting is ours: EventSource reconnects forever after the server
 * ends a finished task's stream, and cannot tell a drop from the end.
 */
export interface SseMessage {
  id: string | undefined;
  data: string;
}

/** Feeds chunks of text; calls `onMessage` for every complete message (comments are skipped). */
export class SseParser {
  private buffer = "";

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk.replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.dispatch(block);
    }
  }

  private dispatch(block: string): void {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) this.onMessage({ id, data: data.join("\n") });
  }
}

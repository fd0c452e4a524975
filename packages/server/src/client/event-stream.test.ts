/**
 * The client's event stream against a server that cuts the connection: it resumes with
 * Last-Event-ID, passes each event once, and gives up on a refusal instead of retrying.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, QuireApiClient } from "./api-client.js";
import { followTaskEvents, type StreamedTaskEvent } from "./event-stream.js";

const open: http.Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function sse(seq: number, type: string): string {
  return `id: ${seq}\ndata: ${JSON.stringify({ seq, attemptId: "a1", event: { type, thread_id: "t" } })}\n\n`;
}

/** Serves events 1-2 then drops the connection; a reconnect gets 3 and the end. */
async function cuttingServer(): Promise<{ url: string; lastEventIds: (string | undefined)[] }> {
  const lastEventIds: (string | undefined)[] = [];
  let status = "running";
  const server = http.createServer((req, res) => {
    if (req.url === "/api/tasks/t1") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ task: { status, lastEventSeq: status === "running" ? 2 : 3 } }));
      return;
    }
    if (req.url === "/api/tasks/t1/events") {
      const last = req.headers["last-event-id"] as string | undefined;
      lastEventIds.push(last);
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (last === undefined) {
        // The history so far, then the connection is cut mid-stream.
        res.write(sse(1, "thread.started") + sse(2, "turn.started"));
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      // A server that ignored Last-Event-ID would send 1-3 again: the client must not repeat them.
      status = "completed";
      res.end((Number(last) < 2 ? sse(1, "thread.started") + sse(2, "turn.started") : "") + sse(3, "turn.completed"));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { message: `no task ${req.url}` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lastEventIds };
}

describe("followTaskEvents", () => {
  it("resumes a cut stream with Last-Event-ID and passes each event once", async () => {
    const server = await cuttingServer();
    const client = new QuireApiClient({ server: server.url });
    const seen: StreamedTaskEvent[] = [];
    const reconnects: number[] = [];
    const ended = await followTaskEvents(client, "t1", (event) => seen.push(event), {
      retryMs: 10,
      onReconnect: (after) => reconnects.push(after),
    });
    expect(seen.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(server.lastEventIds).toEqual([undefined, "2"]);
    expect(reconnects).toEqual([2]);
    expect(ended).toEqual({ lastSeq: 3, status: "completed" });
  });

  it("stops at upTo (the history so far) without waiting for the end", async () => {
    const server = await cuttingServer();
    const seen: number[] = [];
    await followTaskEvents(new QuireApiClient({ server: server.url }), "t1", (event) => seen.push(event.seq), {
      upTo: 2,
    });
    expect(seen).toEqual([1, 2]);
  });

  it("gives up at once on a refusal, with the server's words", async () => {
    const server = await cuttingServer();
    const attempt = followTaskEvents(new QuireApiClient({ server: server.url }), "nope", () => undefined);
    await expect(attempt).rejects.toThrow(ApiError);
    await expect(attempt).rejects.toThrow(/^404 no task \/api\/tasks\/nope\/events$/);
  });
});

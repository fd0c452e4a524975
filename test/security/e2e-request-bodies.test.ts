/**
 * Request bodies are bounded before anything parses them (issue 11, item 7): an unauthenticated
 * client sending 50 MB, with a Content-Length or chunked without one, gets 413 with a JSON error,
 * and the server process (a real `quire serve --auth multi`) does not grow by more than a few MB.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGES_BODY_BYTES, IMAGES_MULTIPART_BODY_BYTES } from "../../packages/server/src/http/images.js";
import { tempHome } from "../helpers/quire.js";
import { startServe, type ServeProcess } from "../helpers/server.js";

const MIB = 1024 * 1024;
const BODY_BYTES = 50 * MIB;

let server: ServeProcess;

beforeAll(async () => {
  server = await startServe({
    home: tempHome(),
    env: { QUIRE_ADMIN_EMAIL: "admin@example.com", QUIRE_ADMIN_PASSWORD: "admin-password-1" },
    args: ["--auth", "multi", "--workers", "0"],
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** The server's resident memory, from the kernel. */
function rssBytes(): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

interface Sent {
  status: number;
  body: string;
  /** The highest RSS seen while sending. */
  peakRss: number;
}

/**
 * Streams `BODY_BYTES` of JSON-ish filler a MiB at a time (the client holds one MiB), sampling the
 * server's RSS, until the body is sent or the server answers and closes.
 */
function send(path: string, withLength: boolean, contentType = "application/json"): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const chunk = Buffer.alloc(MIB, "a");
    let written = 0;
    let peakRss = rssBytes();
    let answered = false;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes())), 10);
    const request = http.request(url, {
      method: "POST",
      headers: {
        "content-type": contentType,
        ...(withLength ? { "content-length": String(BODY_BYTES) } : {}),
      },
    });
    request.on("response", (response) => {
      answered = true;
      let body = "";
      response.on("data", (data: Buffer) => (body += data.toString()));
      response.on("end", () => {
        clearInterval(sampler);
        peakRss = Math.max(peakRss, rssBytes());
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body, peakRss });
      });
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) return;
      clearInterval(sampler);
      // The server may answer 413 and close while we still write: the write then fails before
      // the answer is read. That is a refusal too (status 0: cut); anything else is a failure.
      if (error.code === "EPIPE" || error.code === "ECONNRESET") {
        resolve({ status: 0, body: "", peakRss: Math.max(peakRss, rssBytes()) });
        return;
      }
      reject(error);
    });
    const pump = (): void => {
      while (!answered && written < BODY_BYTES) {
        written += chunk.length;
        if (!request.write(chunk)) {
          request.once("drain", pump);
          return;
        }
      }
      if (!answered) request.end();
    };
    pump();
  });
}

const TOO_LARGE = { error: { message: "request body too large: at most 1 MiB (1048576 bytes) here" } };
/** A new task (and a follow-up) may carry images: a larger limit, still far under 50 MB. */
const TOO_LARGE_WITH_IMAGES = { error: { message: `request body too large: at most ${IMAGES_BODY_BYTES} bytes here` } };

describe("request bodies", () => {
  for (const [name, path, withLength] of [
    ["with a Content-Length, to sign-in (which parses JSON)", "/api/auth/login", true],
    ["chunked without a Content-Length, to sign-in", "/api/auth/login", false],
    ["with a Content-Length, to a route needing credentials", "/api/repositories", true],
    ["chunked without a Content-Length, to a route needing credentials", "/api/repositories", false],
    ["with a Content-Length, to the route that takes images", "/api/tasks", true],
  ] as const) {
    it(`refuses 50 MB ${name} with 413 and no memory growth`, async () => {
      const before = rssBytes();
      const sent = await send(path, withLength);
      // Refused: answered 413 in words, or cut while still sending (the answer raced our writes).
      expect([413, 0]).toContain(sent.status);
      if (sent.status === 413) {
        expect(JSON.parse(sent.body)).toEqual(path === "/api/tasks" ? TOO_LARGE_WITH_IMAGES : TOO_LARGE);
      }
      expect(sent.peakRss - before).toBeLessThan(8 * MIB);
      // The server is fine, and a normal request still works.
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    }, 60_000);
  }

  // The route that takes images allows more only with a declared length, which nothing reads
  // before authentication: chunked, it keeps the default limit.
  it("refuses 50 MB chunked to the route that takes images at the default limit", async () => {
    const before = rssBytes();
    const sent = await send("/api/tasks", false);
    expect([413, 0]).toContain(sent.status);
    if (sent.status === 413) expect(JSON.parse(sent.body)).toEqual(TOO_LARGE);
    expect(sent.peakRss - before).toBeLessThan(8 * MIB);
  }, 60_000);

  // A multipart body (image files as parts) is bounded the same way before Hono parses the form:
  // by its declared length (a bound of its own, the images' bytes without base64), else chunked.
  for (const withLength of [true, false]) {
    it(`refuses 50 MB of multipart ${withLength ? "with a Content-Length" : "chunked"} to the route that takes images`, async () => {
      const before = rssBytes();
      const sent = await send("/api/tasks", withLength, "multipart/form-data; boundary=x");
      expect([413, 0]).toContain(sent.status);
      const limit = withLength ? IMAGES_MULTIPART_BODY_BYTES : 1024 * 1024;
      if (sent.status === 413) expect(JSON.parse(sent.body).error.message).toContain(`${limit} bytes`);
      expect(sent.peakRss - before).toBeLessThan(8 * MIB);
    }, 60_000);
  }

  it("answers 413 in words from the Content-Length alone, before any byte of the body", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(new URL("/api/auth/login", server.url), {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(BODY_BYTES) },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (data: Buffer) => (body += data.toString()));
        response.on("end", () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, body });
        });
      });
      request.on("error", reject);
      request.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual(TOO_LARGE);
  });

  it("closes the connection after refusing a request whose body it did not read, so the rest is never taken in", async () => {
    // Under the route's limit, so only authentication refuses it: the server must not wait for (and
    // drain) the ~20 MiB the client announced.
    const { port } = new URL(server.url);
    const answer = await new Promise<{ head: string; closedByServer: boolean }>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1");
      let head = "";
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ head, closedByServer: false });
      }, 5000);
      socket.on("data", (data: Buffer) => (head += data.toString()));
      socket.on("end", () => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ head, closedByServer: true });
      });
      socket.on("error", reject);
      socket.write(
        `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${IMAGES_BODY_BYTES - 1}\r\n\r\n{"repo":`,
      );
    });
    expect(answer.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.closedByServer).toBe(true);
  });

  it("still takes a body under the limit", async () => {
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@example.com", password: "admin-password-1" }),
    });
    expect(response.status).toBe(200);
  });
});

/**
 * Downloading a forge upload over real HTTP: the size bound holds while the body streams (the
 * download is cut, not buffered) and on a declared length before any byte; redirects are bounded
 * and never downgrade to plain http elsewhere; an address or a name the destination rule refuses
 * is not connected to.
 */
import { createServer, type ServerResponse } from "node:http";
import { DestinationRule } from "@quire/core";
import { listenLocally } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { fetchUpload } from "./fetch-upload.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** A local server answering with `answer`; the rule allows its port. */
async function serve(answer: (path: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => answer(req.url ?? "/", res));
  const listener = await listenLocally(server);
  closers.push(listener.close);
  const port = new URL(listener.origin).port;
  return { url: listener.origin, rule: new DestinationRule({ allowPrivate: [`127.0.0.1:${port}`] }) };
}

const get = (url: string, rule: DestinationRule, maxBytes = 1000) =>
  fetchUpload({ url, headers: { authorization: "token t" } }, rule, maxBytes);

describe("fetchUpload", () => {
  it("returns the bytes of a 200, and words for any other answer", async () => {
    const { url, rule } = await serve((path, res) =>
      path === "/ok" ? res.end(Buffer.from("bytes")) : res.writeHead(404).end("no"),
    );
    expect(await get(`${url}/ok`, rule)).toEqual({ bytes: Buffer.from("bytes") });
    expect(await get(`${url}/missing`, rule)).toEqual({ failed: "the forge answered HTTP 404" });
  });

  it("cuts a body that grows past the bound while it streams, and refuses a declared length over it", async () => {
    const { url, rule } = await serve((path, res) => {
      if (path === "/declared") {
        // Headers only: the answer must come from the declared length, before any byte.
        res.writeHead(200, { "content-length": "5000" }).flushHeaders();
        return;
      }
      // No length, and never ending: only the bound can end this download.
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(400, 1)), 5);
      res.on("close", () => clearInterval(timer));
    });
    expect(await get(`${url}/declared`, rule)).toEqual({ failed: "over the limit of 1000 bytes per image" });
    expect(await get(`${url}/endless`, rule)).toEqual({ failed: "over the limit of 1000 bytes per image" });
  });

  it("follows a few redirects, never to plain http elsewhere", async () => {
    const { url, rule } = await serve((path, res) => {
      if (path === "/loop") return res.writeHead(302, { location: "/loop" }).end();
      if (path === "/to-http") return res.writeHead(302, { location: "http://example.test/x" }).end();
      if (path === "/hop") return res.writeHead(301, { location: "/final" }).end();
      res.end("final");
    });
    expect(await get(`${url}/hop`, rule)).toEqual({ bytes: Buffer.from("final") });
    expect(await get(`${url}/loop`, rule)).toEqual({ failed: "more than 3 redirects" });
    expect(await get(`${url}/to-http`, rule)).toEqual({ failed: "redirected to http, not https" });
  });

  it("connects to no address the destination rule refuses, by address or by name", async () => {
    let asked = 0;
    const { url } = await serve((_path, res) => {
      asked += 1;
      res.end("secret");
    });
    const closed = new DestinationRule();
    const port = new URL(url).port;
    const refusal = "resolves only to private or local addresses, which Quire may not reach";
    expect(await get(url, closed)).toEqual({ failed: expect.stringContaining(`127.0.0.1:${port} ${refusal}`) });
    expect(await get(`http://localhost:${port}/`, closed)).toEqual({ failed: expect.stringContaining(refusal) });
    expect(asked).toBe(0);
  });
});

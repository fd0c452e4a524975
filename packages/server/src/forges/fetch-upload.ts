/**
 * Downloading one upload from a forge: through the destination rule at every hop (the webhooks'
 * checked connection: public addresses, or what config.toml `[outbound] allow_private` names), its
 * token sent to the forge's own origin only, a few redirects followed (GitHub answers with one to
 * its storage), and at most `maxBytes` read: a larger declared length is refused before the body,
 * a longer body is cut while it streams.
 */
import http from "node:http";
import https from "node:https";
import { checkedLookup, DESTINATION_REFUSED, type DestinationRule, portOf, refusedLiteral } from "@quire/core";
import { isLoopbackHost } from "../delivery/forges-config.js";
import type { UploadRequest } from "./upload-links.js";

export type Fetched = { bytes: Buffer } | { failed: string };

const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 20_000;

const refusal = (host: string): string =>
  `${host} resolves only to private or local addresses, which Quire may not reach (config.toml [outbound] allow_private)`;

type Hop = { bytes: Buffer } | { failed: string } | { redirect: string };

function get(url: URL, headers: Record<string, string>, rule: DestinationRule, maxBytes: number): Promise<Hop> {
  if (refusedLiteral(url, rule)) return Promise.resolve({ failed: refusal(url.host) });
  return new Promise((resolve) => {
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "GET",
      headers: { ...headers, accept: "image/*", "user-agent": "quire" },
      lookup: checkedLookup(rule, portOf(url), refusal),
    });
    // The whole hop is bounded in time, not only each wait for a byte.
    const timer = setTimeout(() => settle({ failed: `no answer within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
    const settle = (hop: Hop): void => {
      clearTimeout(timer);
      request.destroy();
      resolve(hop);
    };
    request.on("response", (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        return settle({ redirect: response.headers.location });
      }
      if (status !== 200) return settle({ failed: `the forge answered HTTP ${status}` });
      const tooLarge = `over the limit of ${maxBytes} bytes per image`;
      if (Number(response.headers["content-length"] ?? 0) > maxBytes) return settle({ failed: tooLarge });
      const chunks: Buffer[] = [];
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > maxBytes) return settle({ failed: tooLarge });
        chunks.push(chunk);
      });
      response.on("end", () => settle({ bytes: Buffer.concat(chunks) }));
      response.on("close", () => settle({ failed: "the answer was cut short" }));
    });
    request.on("error", (error: NodeJS.ErrnoException) =>
      settle({
        failed: error.code === DESTINATION_REFUSED ? error.message : `${url.host}: ${error.code ?? error.message}`,
      }),
    );
    request.end();
  });
}

/** The upload's bytes, or why they could not be had, in words (never the token). */
export async function fetchUpload(upload: UploadRequest, rule: DestinationRule, maxBytes: number): Promise<Fetched> {
  const forge = new URL(upload.url).origin;
  let url = new URL(upload.url);
  for (let hops = 0; ; hops += 1) {
    // The token goes to the forge only: a redirect to its storage is followed without it.
    const hop = await get(url, url.origin === forge ? upload.headers : {}, rule, maxBytes);
    if (!("redirect" in hop)) return hop;
    if (hops === MAX_REDIRECTS) return { failed: `more than ${MAX_REDIRECTS} redirects` };
    let next: URL;
    try {
      next = new URL(hop.redirect, url);
    } catch {
      return { failed: "redirected to something that is not a link" };
    }
    // Plain http only on this machine (a local forge), as for the forge's own address.
    if (next.protocol !== "https:" && !(next.protocol === "http:" && isLoopbackHost(next.hostname))) {
      return { failed: `redirected to ${next.protocol.replace(":", "")}, not https` };
    }
    url = next;
  }
}

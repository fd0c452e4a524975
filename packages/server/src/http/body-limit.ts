/**
 * A bound on every request body, enforced before anything reads it (issue 11, item 7: two
 * unauthenticated 300 MB bodies took the server to 1.5 GB). Hono's bodyLimit refuses a declared
 * Content-Length over the limit at once, and counts the bytes of a chunked body as they arrive,
 * holding at most the limit. The answer is 413 with a JSON error, and the connection is closed
 * rather than drained, so the rest of a huge body is not even read.
 *
 * One limit for most routes: JSON bodies, the largest being a task's prompt (100,000 characters).
 * The routes that take images (a task, a follow-up) get room for them in ROUTE_LIMITS, for a body
 * with a declared Content-Length only (which is not read before the route, after authentication):
 * a chunked body, which the limit buffers as it counts it, keeps the default limit, so an
 * unauthenticated client still makes the server hold at most that. A multipart body to them
 * (image files as parts, multipart-body.ts) carries the images' bytes, not their base64: its bound
 * is smaller. Either way the route reads at most the declared length, which the bound has checked.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { IMAGES_BODY_BYTES, IMAGES_MULTIPART_BODY_BYTES } from "./images.js";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Larger (or smaller) limits by exact path: a new task and a follow-up carry images. */
const ROUTE_LIMITS: readonly { path: RegExp; maxBytes: number; multipartMaxBytes: number }[] = [
  { path: /^\/api\/tasks$/, maxBytes: IMAGES_BODY_BYTES, multipartMaxBytes: IMAGES_MULTIPART_BODY_BYTES },
  {
    path: /^\/api\/tasks\/[^/]+\/messages$/,
    maxBytes: IMAGES_BODY_BYTES,
    multipartMaxBytes: IMAGES_MULTIPART_BODY_BYTES,
  },
];

const isMultipart = (contentType: string | undefined): boolean =>
  contentType?.split(";")[0]?.trim().toLowerCase() === "multipart/form-data";

/** Hono's bodyLimit answering 413 in words and closing the connection (the rest is not read). */
function tooLargeLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      c.header("connection", "close");
      return c.json({ error: { message: `request body too large: at most ${describe(maxBytes)} here` } }, 413);
    },
  });
}

export function requestBodyLimit(defaultMaxBytes: number = DEFAULT_BODY_LIMIT_BYTES): MiddlewareHandler {
  const limits = new Map<number, MiddlewareHandler>();
  const limiter = (maxBytes: number): MiddlewareHandler => {
    let limit = limits.get(maxBytes);
    if (!limit) {
      limit = tooLargeLimit(maxBytes);
      limits.set(maxBytes, limit);
    }
    return limit;
  };
  return (c, next) => {
    const route = ROUTE_LIMITS.find((entry) => entry.path.test(c.req.path));
    if (!route) return limiter(defaultMaxBytes)(c, next);
    // Hono's bodyLimit buffers a chunked body as it counts it, before authentication: a chunked
    // body gets the default limit, and the larger one needs a declared Content-Length.
    const declared = c.req.header("content-length") !== undefined && !c.req.header("transfer-encoding");
    if (!declared) return limiter(defaultMaxBytes)(c, next);
    return limiter(isMultipart(c.req.header("content-type")) ? route.multipartMaxBytes : route.maxBytes)(c, next);
  };
}

function describe(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

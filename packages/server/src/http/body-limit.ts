/**
 * A bound on every request body, enforced before anything reads it (issue 11, item 7: two
 * unauthenticated 300 MB bodies took the server to 1.5 GB). Hono's bodyLimit refuses a declared
 * Content-Length over the limit at once, and counts the bytes of a chunked body as they arrive,
 * holding at most the limit. The answer is 413 with a JSON error, and the connection is closed
 * rather than drained, so the rest of a huge body is not even read.
 *
 * One limit for most routes: JSON bodies, the largest being a task's prompt (100,000 characters).
 * The routes that take images (a task, a follow-up) get room for them in ROUTE_LIMITS.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { IMAGES_BODY_BYTES } from "./images.js";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Larger (or smaller) limits by exact path: a new task and a follow-up carry images. */
const ROUTE_LIMITS: readonly { path: RegExp; maxBytes: number }[] = [
  { path: /^\/api\/tasks$/, maxBytes: IMAGES_BODY_BYTES },
  { path: /^\/api\/tasks\/[^/]+\/messages$/, maxBytes: IMAGES_BODY_BYTES },
];

export function requestBodyLimit(defaultMaxBytes: number = DEFAULT_BODY_LIMIT_BYTES): MiddlewareHandler {
  const limits = new Map<number, MiddlewareHandler>();
  const limiter = (maxBytes: number): MiddlewareHandler => {
    let limit = limits.get(maxBytes);
    if (!limit) {
      limit = bodyLimit({
        maxSize: maxBytes,
        onError: (c) => {
          c.header("connection", "close");
          return c.json({ error: { message: `request body too large: at most ${describe(maxBytes)} here` } }, 413);
        },
      });
      limits.set(maxBytes, limit);
    }
    return limit;
  };
  return (c, next) => {
    const route = ROUTE_LIMITS.find((entry) => entry.path.test(c.req.path));
    return limiter(route?.maxBytes ?? defaultMaxBytes)(c, next);
  };
}

function describe(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

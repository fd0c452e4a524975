/**
 * Security headers on every response (issue 11, item 8), through Hono's secureHeaders: a strict
 * Content-Security-Policy the web app passes (scripts and styles from this origin only: no inline
 * script or style, no eval; the app turns the ANSI colours of command output into classes rather
 * than style attributes), no framing (frame-ancestors 'none' and X-Frame-Options: DENY), nosniff,
 * a Referrer-Policy that keeps paths to this origin, and Cross-Origin-Opener-Policy: same-origin.
 *
 * Strict-Transport-Security only when the request came over TLS: directly, or through a reverse
 * proxy the operator trusts to say so (`trustProxy`: its `X-Forwarded-Proto: https`). Sent over
 * plain http it would be ignored by browsers, or, behind a proxy nobody vouched for, be a client's
 * say-so.
 */
import type { Context, MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** Exported for tests and docs: the policy every response carries. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // Data URIs: diff2html's and the app's small inline icons in CSS.
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Half a year: long enough to matter, short enough to undo a mistake. */
export const HSTS = "max-age=15552000; includeSubDomains";

export function securityHeaders(options: { trustProxy?: boolean } = {}): MiddlewareHandler {
  const common = secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: "DENY",
    // Not no-referrer: with it, browsers send `Origin: null` on the app's own POSTs, which the
    // origin check of cookie-authenticated changes (auth-middleware.ts) must refuse.
    referrerPolicy: "strict-origin-when-cross-origin",
    crossOriginOpenerPolicy: "same-origin",
    strictTransportSecurity: false,
  });
  return async (c, next) => {
    await common(c, next);
    if (overTls(c, options.trustProxy === true)) c.header("Strict-Transport-Security", HSTS);
  };
}

function overTls(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return trustProxy && c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

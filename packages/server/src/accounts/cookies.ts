/**
 * The cookies of multi-user mode. The session cookie is HttpOnly (scripts cannot read it) and
 * SameSite=Lax (other sites' forms and scripts do not send it); Secure unless the request came
 * over plain http to a loopback address, where browsers would otherwise drop it.
 */
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setCookie, setSignedCookie } from "hono/cookie";
import { isLoopbackHost } from "./auth-options.js";
import type { NewSession } from "./accounts.js";
import { OIDC_FLOW_TTL_MS, type OidcFlow } from "./oidc.js";

export const SESSION_COOKIE = "quire_session";
/** Readable by the web app's scripts: the CSRF token to echo in `x-csrf-token` (double submit). */
export const CSRF_COOKIE = "quire_csrf";
const OIDC_COOKIE = "quire_oidc";
const OIDC_PATH = "/api/auth/oidc";

export function isSecureRequest(c: Context): boolean {
  const url = new URL(c.req.url);
  if (c.req.header("x-forwarded-proto") === "https") return true;
  return !(url.protocol === "http:" && isLoopbackHost(url.hostname));
}

export function setSessionCookies(c: Context, session: NewSession, now: Date = new Date()): void {
  const maxAge = Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000);
  const common = { path: "/", secure: isSecureRequest(c), sameSite: "Lax", maxAge } as const;
  setCookie(c, SESSION_COOKIE, session.sessionId, { ...common, httpOnly: true });
  setCookie(c, CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(c: Context): void {
  const secure = isSecureRequest(c);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure });
  deleteCookie(c, CSRF_COOKIE, { path: "/", secure });
}

/**
 * Every `quire_session` value the request carries. A browser sends several when another cookie of
 * that name was planted with a narrower path or for a parent domain (session fixation); the auth
 * middleware then takes the one live session among them, and sign-in ends them all.
 */
export function sessionIdsFrom(c: Context): string[] {
  const header = c.req.header("cookie") ?? "";
  const values: string[] = [];
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0 || part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(separator + 1).trim();
    if (value) values.push(value);
  }
  return values;
}

/** Lax, so the provider's redirect back (a top-level GET) carries it; scoped to the OIDC routes. */
export async function setOidcFlowCookie(c: Context, flow: OidcFlow, secret: string): Promise<void> {
  await setSignedCookie(c, OIDC_COOKIE, JSON.stringify(flow), secret, {
    path: OIDC_PATH,
    httpOnly: true,
    secure: isSecureRequest(c),
    sameSite: "Lax",
    maxAge: Math.floor(OIDC_FLOW_TTL_MS / 1000),
  });
}

/** The flow this browser started, if its cookie is there and its signature holds; the cookie is cleared. */
export async function takeOidcFlow(c: Context, secret: string): Promise<OidcFlow | undefined> {
  const value = await getSignedCookie(c, secret, OIDC_COOKIE);
  deleteCookie(c, OIDC_COOKIE, { path: OIDC_PATH, secure: isSecureRequest(c) });
  if (typeof value !== "string") return undefined;
  try {
    const flow = JSON.parse(value) as Partial<OidcFlow>;
    const fields = [flow.state, flow.nonce, flow.verifier, flow.returnTo, flow.redirectUri];
    if (!fields.every((field) => typeof field === "string") || typeof flow.startedAt !== "number") return undefined;
    return flow as OidcFlow;
  } catch {
    return undefined;
  }
}

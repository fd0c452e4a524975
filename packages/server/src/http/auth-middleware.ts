/**
 * Authenticates every `/api/*` request and sets `identity` and `principal` on the context
 * (accounts/principal.ts). Credentials, first match wins: an `Authorization: Bearer quire_…`
 * token; in single-user mode, the implicit local owner; in multi-user mode, the session cookie.
 * Cookie-authenticated unsafe requests must echo the session's CSRF token in `x-csrf-token`.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Accounts } from "../accounts/accounts.js";
import { isLoopbackHost } from "../accounts/auth-options.js";
import { sessionIdsFrom } from "../accounts/cookies.js";
import type { Identity } from "../accounts/principal.js";
import { constantTimeEqual } from "../accounts/secrets.js";
import { HttpError } from "../errors.js";

export const CSRF_HEADER = "x-csrf-token";
export const WORKSPACE_HEADER = "x-quire-workspace";

/** Reachable without credentials: the API's description and the ways to sign in. */
const PUBLIC_PATHS = new Set([
  "/api/openapi.json",
  "/api/auth/methods",
  "/api/auth/login",
  "/api/auth/oidc/start",
  "/api/auth/oidc/callback",
  // The invitee has no account yet; the invitation's token is the credential.
  "/api/invitations/preview",
  "/api/invitations/accept",
  // A forge's webhook carries its own credential: the signature over the body (forges/webhook-verify.ts).
  "/api/forges/github/webhook",
  "/api/forges/gitlab/webhook",
  "/api/forges/gitea/webhook",
]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function authMiddleware(accounts: Accounts): MiddlewareHandler {
  return async (c, next) => {
    c.set("accounts", accounts);
    await accounts.ready();
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const identity = await authenticate(c, accounts);
    c.set("identity", identity);
    const requested = c.req.header(WORKSPACE_HEADER)?.trim() || undefined;
    c.set("principal", await accounts.principalFor(identity, requested));
    return next();
  };
}

async function authenticate(c: Context, accounts: Accounts): Promise<Identity> {
  if (accounts.mode === "local") refuseForeignHost(c);
  // A token is sent deliberately, never by a browser on its own: no CSRF check needed.
  const authorization = c.req.header("authorization");
  if (authorization) return accounts.authenticateToken(authorization);
  if (accounts.mode === "local") {
    refuseCrossSite(c, "local");
    return accounts.localIdentity();
  }
  const session = await accounts.authenticateSessions(sessionIdsFrom(c));
  if (!session) throw new HttpError(401, "unauthenticated: sign in, or send Authorization: Bearer quire_…");
  const { identity } = session;
  c.set("sessionId", session.sessionId);
  if (!SAFE_METHODS.has(c.req.method)) {
    refuseCrossSite(c, "multi", accounts.multi?.publicOrigins);
    const sent = c.req.header(CSRF_HEADER) ?? "";
    if (!identity.csrfToken || !constantTimeEqual(sent, identity.csrfToken)) {
      throw new HttpError(403, `forbidden: missing or wrong ${CSRF_HEADER} header (GET /api/auth/me gives it)`);
    }
  }
  return identity;
}

/**
 * Single-user mode trusts whoever reaches it, so it must not answer a web page that rebinds its
 * own DNS name to 127.0.0.1 (DNS rebinding): such requests name the page's host, not a loopback one.
 */
function refuseForeignHost(c: Context): void {
  const host = new URL(c.req.url).hostname;
  if (isLoopbackHost(host)) return;
  throw new HttpError(403, `forbidden: single-user mode answers loopback host names only, not ${host}`);
}

/**
 * Browsers say where a request comes from; an unsafe request that another site's page makes with
 * the user's ambient credentials (local mode, a session cookie) is refused. Scripts send neither
 * header. `Sec-Fetch-Site` must be `same-origin` (or `none`: typed by the user); a sibling
 * subdomain (`same-site`) is another origin too. In local mode an Origin must be a loopback one
 * (the web app, or a dev server proxying to it). In multi-user mode it must be the request's own
 * host, or one of the operator's `publicOrigins` (a proxy that rewrites Host): a valid CSRF token
 * is not enough on its own (issue 11, item 9).
 */
export function refuseCrossSite(c: Context, mode: "local" | "multi", publicOrigins: readonly string[] = []): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const site = c.req.header("sec-fetch-site");
  if (mode === "local" && site === "cross-site") throw new HttpError(403, "forbidden: cross-site request");
  if (mode === "multi" && site !== undefined && site !== "same-origin" && site !== "none") {
    throw new HttpError(403, `forbidden: a ${site} request; changes come from this server's own pages`);
  }
  const origin = c.req.header("origin");
  if (origin === undefined) return;
  const url = URL.canParse(origin) ? new URL(origin) : undefined;
  if (mode === "local") {
    if (url && isLoopbackHost(url.hostname)) return;
    throw new HttpError(403, "forbidden: single-user mode takes changes from pages on this machine only");
  }
  if (url && (url.host === c.req.header("host") || publicOrigins.includes(url.origin))) return;
  throw new HttpError(403, `forbidden: a request from another origin (${origin.slice(0, 100)})`);
}

/**
 * Signing in and out: password sign-in, OpenID Connect (start, callback), the current identity,
 * changing one's password. Every sign-in, successful or not, is audited, and so is each block of
 * throttled password sign-ins and each password change; no response or log carries a password or
 * a session id (the session id goes into its HttpOnly cookie only).
 */
import type { Context, Hono } from "hono";
import type { Accounts, NewSession } from "../../accounts/accounts.js";
import { appendAudit } from "../../accounts/audit.js";
import {
  clearSessionCookies,
  sessionIdsFrom,
  setOidcFlowCookie,
  setSessionCookies,
  takeOidcFlow,
} from "../../accounts/cookies.js";
import { acceptInvitationsForVerifiedEmail } from "../../accounts/invitations.js";
import { recordInvitationAccepted } from "../../accounts/invitation-audit.js";
import { userForOidcClaims } from "../../accounts/oidc-users.js";
import { identityOf } from "../../accounts/principal.js";
import { samePassword } from "../../accounts/passwords.js";
import {
  authMethodsSchema,
  changePasswordBody,
  loginBody,
  meSchema,
  oidcStartQuery,
  signedInResponse,
} from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, empty, error, ok, retryAfter } from "../responses.js";
import type { SignInRefusal } from "../../accounts/sign-in-throttle.js";
import { LOCAL_WORKSPACE_ID, normalizeEmail, type User } from "../../storage/index.js";
import { refuseCrossSite } from "../auth-middleware.js";
import { clientAddress } from "../client-address.js";
import { HttpError } from "../../errors.js";
import { errorResponse, jsonBody, parseOr400 } from "../errors.js";

export function authRoutes(app: Hono, accounts: Accounts): void {
  const { repos } = accounts;

  /**
   * Sign-ins (and password changes) are recorded in the user's first workspace, where its admins
   * see them; those of no known user in the default workspace, whose owners run the server.
   */
  const recordSignIn = async (action: string, user: User | undefined, details: Record<string, unknown>) => {
    const [first] = user ? await repos.workspaces.listForUser(user.id) : [];
    await appendAudit(repos, {
      workspaceId: first?.workspace.id ?? (user ? null : LOCAL_WORKSPACE_ID),
      actorUserId: user?.id ?? null,
      actorTokenId: null,
      action,
      target: user ? `user:${user.id}` : null,
      details,
    });
  };

  /** 429 with Retry-After. Audited once per block: an entry per refused attempt would let anyone fill the log. */
  const refuseThrottled = async (
    c: Context,
    refusal: SignInRefusal,
    email: string,
    address: string | undefined,
    method: "password" | "password_change" = "password",
  ) => {
    if (refusal.blockStarted) {
      await recordSignIn("auth.login_throttled", await repos.users.getByEmail(email), {
        method,
        email,
        address: address ?? null,
        limit: refusal.limit,
        blockedSeconds: refusal.retryAfterSeconds,
      });
    }
    c.header("Retry-After", String(refusal.retryAfterSeconds));
    return errorResponse(c, new HttpError(429, throttledMessage(refusal)));
  };

  const requireMultiUser = () => {
    if (accounts.mode !== "multi") throw new HttpError(400, "single-user mode: there is no sign-in");
  };

  const methods = {
    method: "get",
    path: "/api/auth/methods",
    summary: "How to sign in: { mode, password, oidc } (no credentials needed)",
    responses: { 200: ok("{ mode, password, oidc }", authMethodsSchema) },
  } as const;
  declareRoute(app, methods, (c) =>
    c.json({ mode: accounts.mode, password: accounts.mode === "multi", oidc: accounts.oidc !== undefined }),
  );

  const login = {
    method: "post",
    path: "/api/auth/login",
    summary: "Sign in with email and password: sets the session cookie; gives the CSRF token",
    body: loginBody,
    responses: {
      200: ok("{ user, csrfToken }", signedInResponse),
      400: error("Invalid body, or single-user mode."),
      401: error("Wrong email or password."),
      403: error("A cross-site request."),
      429: {
        ...error("Too many failed sign-ins from this address (for this email, or for all): try again later."),
        headers: retryAfter,
      },
    },
  } as const;
  declareRoute(app, login, async (c) => {
    requireMultiUser();
    refuseCrossSite(c, "multi", accounts.multi?.publicOrigins);
    const body = parseOr400(loginBody, await jsonBody(c), "sign-in");
    const address = clientAddress(c);
    // Before the password is checked: a blocked guesser costs no scrypt work and learns nothing.
    const admission = await accounts.signInThrottle.admit(body.email, address);
    if (admission.refusal) return refuseThrottled(c, admission.refusal, body.email, address);
    let user: User | undefined;
    try {
      user = await accounts.signInWithPassword(body.email, body.password);
    } catch (error) {
      await accounts.signInThrottle.abandoned(admission.attempt);
      throw error;
    }
    if (!user) {
      await recordSignIn("auth.login_failed", await repos.users.getByEmail(body.email), {
        method: "password",
        email: body.email,
      });
      throw new HttpError(401, "wrong email or password");
    }
    await accounts.signInThrottle.succeeded(admission.attempt);
    const session = await startFreshSession(c, accounts, user.id);
    await recordSignIn("auth.login", user, { method: "password" });
    return c.json({ user: publicUser(user), csrfToken: session.csrfToken });
  });

  const logout = {
    method: "post",
    path: "/api/auth/logout",
    summary: "End this browser session",
    responses: { 204: empty("Signed out."), 400: error("Not a browser session (an API token)."), ...denied },
  } as const;
  declareRoute(app, logout, async (c) => {
    const identity = identityOf(c);
    const sessionId = c.get("sessionId");
    if (identity.via !== "session" || !sessionId) {
      throw new HttpError(400, "only a browser session signs out; revoke an API token with DELETE /api/tokens/:id");
    }
    await accounts.endSession(sessionId);
    clearSessionCookies(c);
    await recordSignIn("auth.logout", await repos.users.get(identity.userId), {});
    return c.body(null, 204);
  });

  const password = {
    method: "post",
    path: "/api/auth/password",
    summary: "Change your password (browser sessions only); ends your other sessions",
    body: changePasswordBody,
    responses: {
      204: empty("Changed; this session stays signed in, the others are signed out."),
      400: error(
        "Invalid body (e.g. too short), the current password is wrong, the new one is the same, " +
          "or you sign in with single sign-on only.",
      ),
      401: error("Not signed in."),
      403: error("An API token (tokens cannot change passwords), or a missing CSRF token."),
      429: { ...error("Too many wrong passwords from this address: try again later."), headers: retryAfter },
    },
  } as const;
  declareRoute(app, password, async (c) => {
    requireMultiUser();
    const identity = identityOf(c);
    const sessionId = c.get("sessionId");
    // A leaked API token must not be able to take the account over (and lock its owner out).
    if (identity.via !== "session" || !sessionId) {
      throw new HttpError(403, "forbidden: only a browser session can change the password, not an API token");
    }
    const body = parseOr400(changePasswordBody, await jsonBody(c), "password change");
    const user = await repos.users.get(identity.userId);
    if (!user) throw new HttpError(401, "unauthenticated: the user no longer exists");
    if (!user.hasPassword) {
      throw new HttpError(400, "you have no password here: you sign in with single sign-on");
    }
    if (samePassword(body.currentPassword, body.newPassword)) {
      throw new HttpError(400, "the new password must differ from the current one");
    }
    // Guessing the current password from a stolen session is guessing a sign-in password: the
    // same counters (this user's email and the client's address) refuse it, before any scrypt work.
    const throttleEmail = user.email ?? `user:${user.id}`;
    const address = clientAddress(c);
    const admission = await accounts.signInThrottle.admit(throttleEmail, address);
    if (admission.refusal) return refuseThrottled(c, admission.refusal, throttleEmail, address, "password_change");
    let matches: boolean;
    try {
      matches = await accounts.passwordMatches(user.id, body.currentPassword);
    } catch (error) {
      await accounts.signInThrottle.abandoned(admission.attempt);
      throw error;
    }
    // 400, not 401: the web app takes any 401 as "the session ended" and shows sign-in, which
    // would throw away what was typed and sign the user out over a typo.
    if (!matches) throw new HttpError(400, "current password is wrong");
    await accounts.signInThrottle.succeeded(admission.attempt);
    const endedSessions = await accounts.changePassword(user.id, body.newPassword, sessionId);
    await recordSignIn("user.password_changed", user, { endedSessions });
    return c.body(null, 204);
  });

  const me = {
    method: "get",
    path: "/api/auth/me",
    summary: "Who is asking: user, current workspace and role, scopes, workspaces, CSRF token (sessions)",
    responses: { 200: ok("{ mode, via, user, workspace, scopes, workspaces, csrfToken }", meSchema), ...denied },
  } as const;
  declareRoute(app, me, async (c) => {
    const identity = identityOf(c);
    const principal = c.get("principal");
    const user = await repos.users.get(identity.userId);
    if (!user) throw new HttpError(401, "unauthenticated: the user no longer exists");
    const memberships = identity.token
      ? (await repos.workspaces.listForUser(user.id)).filter((m) => m.workspace.id === identity.token!.workspaceId)
      : await repos.workspaces.listForUser(user.id);
    return c.json({
      mode: accounts.mode,
      via: identity.via,
      user: publicUser(user),
      workspace: principal
        ? { ...memberships.find((m) => m.workspace.id === principal.workspaceId)?.workspace, role: principal.role }
        : null,
      scopes: principal?.scopes ?? [],
      workspaces: memberships.map((m) => ({ ...m.workspace, role: m.role })),
      csrfToken: identity.csrfToken ?? null,
    });
  });

  const redirect = (description: string) => ({
    description,
    headers: { location: { description: "Where to go.", schema: { type: "string" as const } } },
  });
  const oidcStart = {
    method: "get",
    path: "/api/auth/oidc/start",
    summary: "Start OpenID Connect sign-in: redirects to the provider",
    query: oidcStartQuery,
    responses: {
      302: redirect("To the provider."),
      400: error("Single-user mode."),
      404: error("Single sign-on is not configured."),
    },
  } as const;
  declareRoute(app, oidcStart, async (c) => {
    requireMultiUser();
    if (!accounts.oidc) throw new HttpError(404, "single sign-on is not configured");
    const redirectUri = accounts.oidc.options.redirectUri ?? new URL("/api/auth/oidc/callback", c.req.url).href;
    const { url, flow } = await accounts.oidc.start(safeReturnPath(c.req.query("returnTo")), redirectUri);
    await setOidcFlowCookie(c, flow, accounts.cookieSecret);
    return c.redirect(url.href, 302);
  });

  const oidcCallback = {
    method: "get",
    path: "/api/auth/oidc/callback",
    summary: "The provider's redirect back: signs in (linking or creating the user) and redirects to returnTo",
    responses: {
      302: redirect("Signed in."),
      400: error("No sign-in in progress in this browser, or single-user mode."),
      401: error("The provider's answer did not check out."),
      404: error("Single sign-on is not configured."),
    },
  } as const;
  declareRoute(app, oidcCallback, async (c) => {
    requireMultiUser();
    const oidc = accounts.oidc;
    if (!oidc) throw new HttpError(404, "single sign-on is not configured");
    const flow = await takeOidcFlow(c, accounts.cookieSecret);
    if (!flow) throw new HttpError(400, "no single sign-on in progress in this browser (or it expired): start again");
    let signIn;
    let claims;
    try {
      claims = await oidc.finish(new URL(c.req.url).searchParams, flow);
      signIn = await userForOidcClaims(repos, claims, oidc.options);
    } catch (error) {
      const reason = providerError(c) ?? describe(error);
      await recordSignIn("auth.login_failed", undefined, { method: "oidc", reason });
      throw new HttpError(401, `single sign-on failed: ${reason}`);
    }
    // The provider proved the email: the invitations sent to it are this user's to take.
    const provenEmail = claims.emailVerified && claims.email ? normalizeEmail(claims.email) : null;
    const accepted =
      provenEmail !== null && provenEmail === signIn.user.email
        ? await acceptInvitationsForVerifiedEmail(repos, signIn.user)
        : [];
    await startFreshSession(c, accounts, signIn.user.id);
    await recordSignIn("auth.login", signIn.user, {
      method: "oidc",
      issuer: oidc.options.issuer,
      created: signIn.created,
      linked: signIn.linked,
      ...(signIn.passwordCleared ? { passwordCleared: true } : {}),
    });
    for (const invitation of accepted) await recordInvitationAccepted(repos, invitation, signIn.user, "oidc");
    return c.redirect(flow.returnTo, 302);
  });
}

/**
 * Signs a user in: a new session id, always (never one the browser offers), and every session
 * whose cookie the request brought along (a planted one: session fixation) ends here.
 */
export async function startFreshSession(c: Context, accounts: Accounts, userId: string): Promise<NewSession> {
  for (const presented of sessionIdsFrom(c)) await accounts.endSession(presented);
  const session = await accounts.startSession(userId);
  setSessionCookies(c, session);
  return session;
}

/** The same whether or not the email exists: a refusal must not tell which accounts there are. */
function throttledMessage(refusal: SignInRefusal): string {
  const from = refusal.limit === "address" ? " from this address" : "";
  return `too many failed sign-ins${from}; try again in ${refusal.retryAfterSeconds} s`;
}

/** hasPassword: whether changing one's password here means anything (single sign-on users have none). */
export function publicUser(user: User) {
  return { id: user.id, email: user.email, name: user.name, hasPassword: user.hasPassword };
}

/** Only a path on this server: anything else would make sign-in an open redirect. */
function safeReturnPath(value: string | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  return value;
}

/** openid-client's message is generic ("invalid response encountered"); its cause says what. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** The provider's own error (e.g. the user declined), which says more than the library's. */
function providerError(c: Context): string | undefined {
  const error = c.req.query("error");
  if (!error) return undefined;
  return [error, c.req.query("error_description")].filter(Boolean).join(": ").slice(0, 300);
}

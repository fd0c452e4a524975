/**
 * The accounts service the HTTP layer uses: who a credential is, which workspace and role a
 * request acts with, password sign-in and sessions. Cookies and headers are http/'s business;
 * this file works on values.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { HttpError } from "../errors.js";
import { LOCAL_USER_ID, LOCAL_WORKSPACE_ID, normalizeEmail, type Repos, type User } from "../storage/index.js";
import {
  resolveAuthOptions,
  type AuthOptions,
  type MultiUserOptions,
  type ResolvedAuthOptions,
} from "./auth-options.js";
import { ensureBootstrapAdmin, retireLocalOwner } from "./bootstrap.js";
import { OidcClient } from "./oidc.js";
import { hashPassword, verifyAgainstNothing, verifyPassword } from "./passwords.js";
import type { Identity, Principal } from "./principal.js";
import { effectiveScopes, isScope, SCOPES, type Scope } from "./roles.js";
import { csrfTokenFor, newSessionId, sha256, TOKEN_PREFIX } from "./secrets.js";
import type { SignInLimits } from "./sign-in-limits.js";
import { SignInThrottle } from "./sign-in-throttle.js";

export interface AccountsOptions {
  repos: Repos;
  auth?: AuthOptions;
  logger: Logger;
  /** Overrides of the password sign-in limits (accounts/sign-in-limits.ts); tests shorten them. */
  signInLimits?: Partial<SignInLimits>;
}

export interface NewSession {
  /** Goes into the cookie only; never logged, never stored (its sha256 is). */
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

export class Accounts {
  readonly repos: Repos;
  readonly options: ResolvedAuthOptions;
  readonly oidc: OidcClient | undefined;
  /** Signs the single sign-on cookie. */
  readonly cookieSecret: string;
  /** Counts failed password sign-ins, in this process's memory. */
  readonly signInThrottle: SignInThrottle;
  private readonly logger: Logger;
  private prepared: Promise<void> | undefined;

  constructor(options: AccountsOptions) {
    this.repos = options.repos;
    this.logger = options.logger;
    this.options = resolveAuthOptions(options.auth);
    const multi = this.multi;
    this.oidc = multi?.oidc ? new OidcClient(multi.oidc) : undefined;
    this.cookieSecret = multi?.sessionSecret ?? randomBytes(32).toString("base64url");
    this.signInThrottle = new SignInThrottle(options.signInLimits);
  }

  get mode(): ResolvedAuthOptions["mode"] {
    return this.options.mode;
  }

  get multi(): MultiUserOptions | undefined {
    return this.options.mode === "multi" ? this.options : undefined;
  }

  /** One-time preparation before the first request (the bootstrap admin); retried if it fails. */
  ready(): Promise<void> {
    this.prepared ??= this.prepare().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  private async prepare(): Promise<void> {
    const multi = this.multi;
    if (!multi) {
      // Back from multi-user mode, the local owner gets its workspace again.
      await this.repos.workspaces.addMember(LOCAL_WORKSPACE_ID, LOCAL_USER_ID, "owner");
      return;
    }
    if (multi.bootstrapAdmin) await ensureBootstrapAdmin(this.repos, multi.bootstrapAdmin, this.logger);
    await retireLocalOwner(this.repos);
  }

  /**
   * The administrator of the whole server: the configured bootstrap admin (QUIRE_ADMIN_EMAIL).
   * Only they may create an account with a password directly; workspace admins invite.
   */
  isServerAdmin(user: User | undefined): boolean {
    const configured = this.multi?.bootstrapAdmin?.email;
    if (!user?.email || !configured) return false;
    return user.email === normalizeEmail(configured);
  }

  localIdentity(): Identity {
    return { userId: LOCAL_USER_ID, via: "local", tokenId: null };
  }

  /** The identity of an `Authorization` header's bearer token; 401 when it is not a live token. */
  async authenticateToken(authorization: string, now: Date = new Date()): Promise<Identity> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match || !match[1]!.startsWith(TOKEN_PREFIX)) {
      throw new HttpError(401, "unauthenticated: expected Authorization: Bearer quire_…");
    }
    const token = await this.repos.apiTokens.findByHash(sha256(match[1]!));
    if (!token) throw new HttpError(401, "unauthenticated: unknown API token");
    if (this.mode === "multi" && token.userId === LOCAL_USER_ID) {
      // Nobody in particular made it: whoever had the machine in single-user mode.
      throw new HttpError(401, "unauthenticated: tokens made in single-user mode do not work in multi-user mode");
    }
    if (token.revokedAt !== null) throw new HttpError(401, "unauthenticated: the API token was revoked");
    if (token.expiresAt !== null && token.expiresAt <= now.toISOString()) {
      throw new HttpError(401, "unauthenticated: the API token has expired");
    }
    await this.repos.apiTokens.touch(token.id, now);
    return {
      userId: token.userId,
      via: "token",
      tokenId: token.id,
      token: { workspaceId: token.workspaceId, scopes: token.scopes.filter(isScope) },
    };
  }

  /** The identity of a session cookie's value; undefined when it is unknown or expired. */
  async authenticateSession(sessionId: string, now: Date = new Date()): Promise<Identity | undefined> {
    const session = await this.repos.sessions.getLive(sha256(sessionId), now);
    if (!session) return undefined;
    return { userId: session.userId, via: "session", tokenId: null, csrfToken: csrfTokenFor(sessionId) };
  }

  /**
   * The one live session among the cookie values a request carries. Two live ones (a session
   * planted beside the user's own) are refused: which is the user's cannot be told.
   */
  async authenticateSessions(
    sessionIds: readonly string[],
    now: Date = new Date(),
  ): Promise<{ sessionId: string; identity: Identity } | undefined> {
    let found: { sessionId: string; identity: Identity } | undefined;
    for (const sessionId of new Set(sessionIds)) {
      const identity = await this.authenticateSession(sessionId, now);
      if (!identity) continue;
      if (found) throw new HttpError(401, "unauthenticated: the browser sent two different sessions; sign in again");
      found = { sessionId, identity };
    }
    return found;
  }

  /**
   * The identity acting in a workspace: the requested one (404 when the user is not a member, as
   * if it did not exist), else the token's, else the user's first. Undefined when the user is in
   * no workspace at all.
   */
  async principalFor(identity: Identity, requested?: string): Promise<Principal | undefined> {
    if (identity.token) {
      const workspaceId = identity.token.workspaceId;
      if (requested !== undefined && requested !== workspaceId) {
        throw new HttpError(403, `forbidden: this API token acts in workspace ${workspaceId} only`);
      }
      const role = await this.repos.workspaces.roleOf(workspaceId, identity.userId);
      if (!role) throw new HttpError(403, "forbidden: the token's user is no longer a member of its workspace");
      return this.principal(identity, workspaceId, role, identity.token.scopes);
    }
    if (requested !== undefined) {
      const role = await this.repos.workspaces.roleOf(requested, identity.userId);
      if (!role) throw new HttpError(404, `no workspace ${requested}`);
      return this.principal(identity, requested, role, SCOPES);
    }
    const [first] = await this.repos.workspaces.listForUser(identity.userId);
    if (!first) return undefined;
    return this.principal(identity, first.workspace.id, first.role, SCOPES);
  }

  private principal(
    identity: Identity,
    workspaceId: string,
    role: Principal["role"],
    granted: readonly Scope[],
  ): Principal {
    return {
      userId: identity.userId,
      workspaceId,
      role,
      scopes: effectiveScopes(granted, role),
      via: identity.via,
      tokenId: identity.tokenId,
    };
  }

  /** The user, when the email has a password and it matches; undefined otherwise (same time either way). */
  async signInWithPassword(email: string, password: string): Promise<User | undefined> {
    const found = await this.repos.users.passwordHashByEmail(email);
    if (!found?.passwordHash) return verifyAgainstNothing(password).then(() => undefined);
    return (await verifyPassword(password, found.passwordHash)) ? found.user : undefined;
  }

  /** Whether `password` is the user's; false when they have none (single sign-on only). */
  async passwordMatches(userId: string, password: string): Promise<boolean> {
    const stored = await this.repos.users.passwordHashOf(userId);
    return stored ? verifyPassword(password, stored) : false;
  }

  /**
   * Stores the new password's hash and ends every other session of the user, since one of them
   * may be the reason for the change; the session in `keptSessionId` stays. Returns how many ended.
   */
  async changePassword(userId: string, newPassword: string, keptSessionId: string): Promise<number> {
    await this.repos.users.setPasswordHash(userId, await hashPassword(newPassword));
    return this.repos.sessions.deleteOthersOfUser(userId, sha256(keptSessionId));
  }

  async startSession(userId: string, now: Date = new Date()): Promise<NewSession> {
    const multi = this.multi;
    if (!multi) throw new Error("sessions exist in multi-user mode only");
    const { id, hash } = newSessionId();
    const expiresAt = new Date(now.getTime() + multi.sessionTtlMs);
    await this.repos.sessions.create({ idHash: hash, userId, expiresAt }, now);
    // Housekeeping where it is cheap: sign-ins are rare, and the expiry column is indexed.
    await this.repos.sessions.deleteExpired(now);
    return { sessionId: id, csrfToken: csrfTokenFor(id), expiresAt };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.repos.sessions.delete(sha256(sessionId));
  }
}

/** What a request carries, set by the auth middleware (see principal.ts). */
declare module "hono" {
  interface ContextVariableMap {
    accounts: Accounts;
    identity: Identity | undefined;
    principal: Principal | undefined;
    /** The session cookie's value that authenticated the request, if one did; never logged. */
    sessionId: string | undefined;
  }
}

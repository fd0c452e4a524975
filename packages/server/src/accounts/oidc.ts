/**
 * OpenID Connect sign-in with openid-client: discovery, then the authorization code flow with
 * PKCE (S256), state and nonce. What must survive the round trip through the provider (the
 * verifier, state, nonce, where to go afterwards) travels in a signed, HttpOnly, short-lived
 * cookie (http/routes/auth.ts), so any API process behind one address can finish the flow.
 */
import * as client from "openid-client";
import type { OidcOptions } from "./auth-options.js";
import { isLoopbackHost } from "./auth-options.js";

/** A flow left unfinished for longer is refused. */
export const OIDC_FLOW_TTL_MS = 10 * 60_000;

export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** A path on this server to go to after signing in. */
  returnTo: string;
  /** Sent with the authorization request; the code exchange must send the same. */
  redirectUri: string;
  startedAt: number;
}

export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export class OidcClient {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(readonly options: OidcOptions) {}

  /** Where to send the browser, and what to remember until it comes back. */
  async start(returnTo: string, redirectUri: string, now: number = Date.now()): Promise<{ url: URL; flow: OidcFlow }> {
    const config = await this.discover();
    const flow: OidcFlow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      returnTo,
      redirectUri,
      startedAt: now,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.options.scopes.join(" "),
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: "S256",
    });
    return { url, flow };
  }

  /**
   * Checks the provider's answer (state, then the code exchanged with the verifier, then the ID
   * token's signature, issuer, audience, expiry and nonce) and returns who signed in.
   */
  async finish(query: URLSearchParams, flow: OidcFlow, now: number = Date.now()): Promise<OidcClaims> {
    if (now - flow.startedAt > OIDC_FLOW_TTL_MS) throw new Error("the sign-in took too long; start again");
    const config = await this.discover();
    // The redirect URI the flow started with, not the URL this request arrived at: behind a proxy
    // they differ, and the provider compares the one sent with the code exchange to the first.
    const callback = new URL(flow.redirectUri);
    callback.search = query.toString();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error("the provider returned no ID token");
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof claims.email === "string" ? claims.email : null,
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === "string" ? claims.name : null,
    };
  }

  /** Discovery once per process; a failure is retried by the next sign-in instead of cached. */
  private discover(): Promise<client.Configuration> {
    if (this.configuration) return this.configuration;
    const issuer = new URL(this.options.issuer);
    // Plain http only for a provider on this machine (development, tests); anything else needs TLS.
    const insecure = issuer.protocol === "http:" && isLoopbackHost(issuer.hostname);
    const discovered = client.discovery(
      issuer,
      this.options.clientId,
      this.options.clientSecret,
      this.options.clientSecret === undefined ? client.None() : undefined,
      { timeout: 10, ...(insecure ? { execute: [client.allowInsecureRequests] } : {}) },
    );
    this.configuration = discovered.catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }
}

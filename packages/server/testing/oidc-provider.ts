/**
 * For tests: a small OpenID provider over real HTTP (discovery, JWKS, authorization endpoint,
 * token endpoint with PKCE) issuing RS256 ID tokens signed with jose, so the server's real
 * openid-client code runs end to end. Kept free of vitest, like the other test-*.ts helpers.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface TestOidcUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorization signs in as. */
  nextUser: TestOidcUser;
  /** Token requests received (form fields), to check what the client sent. */
  tokenRequests: Record<string, string>[];
  close(): Promise<void>;
}

interface Grant {
  user: TestOidcUser;
  nonce: string | undefined;
  challenge: string;
  redirectUri: string;
}

export async function startTestOidcProvider(): Promise<TestOidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const grants = new Map<string, Grant>();
  const provider: TestOidcProvider = {
    issuer: "",
    clientId: "quire-test",
    clientSecret: "test-client-secret",
    nextUser: { sub: "user-1" },
    tokenRequests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", provider.issuer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return send(200, {
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}/authorize`,
        token_endpoint: `${provider.issuer}/token`,
        jwks_uri: `${provider.issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      });
    }
    if (url.pathname === "/jwks") return send(200, { keys: [jwk] });
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      const challenge = q.get("code_challenge");
      const redirectUri = q.get("redirect_uri");
      if (q.get("client_id") !== provider.clientId || q.get("response_type") !== "code") {
        return send(400, { error: "invalid_request" });
      }
      if (!challenge || q.get("code_challenge_method") !== "S256" || !redirectUri) {
        return send(400, { error: "invalid_request", error_description: "PKCE S256 and redirect_uri required" });
      }
      const code = randomBytes(16).toString("hex");
      grants.set(code, { user: provider.nextUser, nonce: q.get("nonce") ?? undefined, challenge, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === "/token" && request.method === "POST") {
      let raw = "";
      request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      request.on("end", () => {
        const form = Object.fromEntries(new URLSearchParams(raw));
        provider.tokenRequests.push(form);
        void issueTokens(form, request.headers.authorization).then(
          (body) => send(body ? 200 : 400, body ?? { error: "invalid_grant" }, { "cache-control": "no-store" }),
          (error: unknown) => send(500, { error: "server_error", error_description: String(error) }),
        );
      });
      return;
    }
    send(404, { error: "not_found" });
  });

  const clientAuthenticated = (form: Record<string, string>, authorization: string | undefined): boolean => {
    if (authorization?.startsWith("Basic ")) {
      const [id, secret] = Buffer.from(authorization.slice(6), "base64").toString().split(":").map(decodeURIComponent);
      return id === provider.clientId && secret === provider.clientSecret;
    }
    return form.client_id === provider.clientId && form.client_secret === provider.clientSecret;
  };

  const issueTokens = async (form: Record<string, string>, authorization: string | undefined) => {
    const grant = form.code ? grants.get(form.code) : undefined;
    if (form.code) grants.delete(form.code); // codes are single use
    if (!grant || form.grant_type !== "authorization_code" || !clientAuthenticated(form, authorization)) return null;
    const challenge = createHash("sha256")
      .update(form.code_verifier ?? "")
      .digest("base64url");
    if (challenge !== grant.challenge || form.redirect_uri !== grant.redirectUri) return null;
    const { sub, ...claims } = grant.user;
    const idToken = await new SignJWT({ ...claims, ...(grant.nonce ? { nonce: grant.nonce } : {}) })
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuer(provider.issuer)
      .setSubject(sub)
      .setAudience(provider.clientId)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    return { access_token: randomBytes(16).toString("hex"), token_type: "Bearer", expires_in: 300, id_token: idToken };
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return provider;
}

/**
 * Signs in through the provider as a browser would: start, the provider's authorization endpoint,
 * the callback with the flow cookie (and any `cookie` the browser already had). Returns the callback's response.
 */
export async function followOidcSignIn(
  apiUrl: string,
  provider: TestOidcProvider,
  user: TestOidcUser,
  cookie?: string,
): Promise<Response> {
  provider.nextUser = user;
  const start = await fetch(`${apiUrl}/api/auth/oidc/start?returnTo=/`, { redirect: "manual" });
  const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith("quire_oidc="));
  const location = start.headers.get("location");
  if (!flowCookie || !location) throw new Error(`OIDC start failed: ${start.status}`);
  const atProvider = await fetch(location, { redirect: "manual" });
  const callback = atProvider.headers.get("location");
  if (!callback) throw new Error(`the provider did not redirect back: ${atProvider.status}`);
  const cookies = [flowCookie.split(";")[0]!, ...(cookie ? [cookie] : [])].join("; ");
  return fetch(callback, { redirect: "manual", headers: { cookie: cookies } });
}

import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, ApiClient, MULTI_USER, sessionCookie } from "../../../testing/clients.js";
import { sha256 } from "../../accounts/secrets.js";
import { LOCAL_WORKSPACE_ID } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

interface Me {
  mode: string;
  via: string;
  user: { id: string; email: string | null };
  workspace: { id: string; name: string; role: string } | null;
  scopes: string[];
  csrfToken: string | null;
}

describe.each(TEST_DIALECTS)("sign-in, sessions and CSRF on %s", (dialect) => {
  let api: TestApi;
  let anonymous: ApiClient;
  const sessionIds: string[] = [];
  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
    anonymous = new ApiClient(api.url);
  });
  afterAll(async () => api?.close());

  const signIn = async () => {
    const client = await anonymous.signIn(ADMIN.email, ADMIN.password);
    sessionIds.push(client.credentials.cookie!.split("=")[1]!);
    return client;
  };

  it("answers 401 without credentials, except for the public routes", async () => {
    for (const path of ["/api/tasks", "/api/auth/me", "/api/tokens", "/api/workspaces", "/api/audit"]) {
      expect((await anonymous.request("GET", path)).status, path).toBe(401);
    }
    expect((await anonymous.request("POST", "/api/auth/logout")).status).toBe(401);
    expect(await anonymous.json("GET", "/api/auth/methods")).toEqual({ mode: "multi", password: true, oidc: false });
    expect((await anonymous.request("GET", "/api/openapi.json")).status).toBe(200);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it("signs in with a password: an HttpOnly, SameSite=Lax session cookie stored hashed", async () => {
    const response = await anonymous.request("POST", "/api/auth/login", {
      email: "ADMIN@example.com ",
      ...{ password: ADMIN.password },
    });
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("quire_session="))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/Secure/); // plain http on a loopback address
    const csrfCookie = cookies.find((c) => c.startsWith("quire_csrf="))!;
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    const sessionId = sessionCookie(response).split("=")[1]!;
    sessionIds.push(sessionId);
    const body = (await response.json()) as { user: { email: string }; csrfToken: string };
    expect(body.user.email).toBe(ADMIN.email);
    expect(csrfCookie).toContain(body.csrfToken);
    expect(await api.repos.sessions.getLive(sha256(sessionId))).toBeDefined();
    expect(await api.repos.sessions.getLive(sessionId)).toBeUndefined();

    const client = new ApiClient(api.url, { cookie: sessionCookie(response) }, anonymous.seen);
    const me = await client.json<Me>("GET", "/api/auth/me");
    expect(me).toMatchObject({ mode: "multi", via: "session", csrfToken: body.csrfToken });
    expect(me.user).toMatchObject({ email: ADMIN.email, hasPassword: true });
    expect(me.workspace).toMatchObject({ id: LOCAL_WORKSPACE_ID, role: "owner" });
    expect(me.scopes).toContain("admin");
  });

  it("marks the cookie Secure behind TLS", async () => {
    const response = await anonymous.request(
      "POST",
      "/api/auth/login",
      { email: ADMIN.email, password: ADMIN.password },
      { "x-forwarded-proto": "https" },
    );
    sessionIds.push(sessionCookie(response).split("=")[1]!);
    expect(response.headers.getSetCookie().find((c) => c.startsWith("quire_session="))).toMatch(/; Secure/);
  });

  it("refuses wrong passwords and unknown emails alike, and audits both", async () => {
    for (const body of [
      { email: ADMIN.email, password: "wrong-password-1" },
      { email: "nobody@example.com", password: "wrong-password-2" },
    ]) {
      const response = await anonymous.request("POST", "/api/auth/login", body);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe("wrong email or password");
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const failed = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "auth.login_failed" });
    expect(failed.map((e) => [e.target?.slice(0, 5) ?? null, e.details])).toEqual([
      [null, { method: "password", email: "nobody@example.com" }],
      ["user:", { method: "password", email: ADMIN.email }],
    ]);
    expect((await anonymous.request("POST", "/api/auth/login", { email: "x@example.com" })).status).toBe(400);
  });

  it("requires the CSRF token on cookie-authenticated unsafe requests", async () => {
    const client = await signIn();
    const noToken = client.with({ csrfToken: "" });
    const create = (c: ApiClient, headers: Record<string, string> = {}) =>
      c.request("POST", "/api/workspaces", { name: "Team" }, headers);
    const missing = await create(noToken);
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/x-csrf-token/);
    expect((await create(client.with({ csrfToken: "forged" }))).status).toBe(403);
    expect((await create(client, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await api.repos.workspaces.listForUser((await api.repos.users.getByEmail(ADMIN.email))!.id)).length).toBe(
      1,
    );
    expect((await noToken.request("GET", "/api/workspaces")).status).toBe(200); // safe methods need none
    expect((await create(client)).status).toBe(201);
  });

  it("signs out: the session is deleted and its cookie cleared", async () => {
    const client = await signIn();
    const sessionId = client.credentials.cookie!.split("=")[1]!;
    expect((await client.with({ csrfToken: "" }).request("POST", "/api/auth/logout")).status).toBe(403);
    const response = await client.request("POST", "/api/auth/logout");
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().find((c) => c.startsWith("quire_session="))).toMatch(/Max-Age=0/);
    expect(await api.repos.sessions.getLive(sha256(sessionId))).toBeUndefined();
    expect((await client.request("GET", "/api/auth/me")).status).toBe(401);
    const actions = (await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["auth.login", "auth.logout", "auth.login_failed"]));
  });

  it("never logs or returns the password or a session id", async () => {
    const logs = JSON.stringify(api.logs);
    const responses = anonymous.seen.join("\n");
    const audit = JSON.stringify(await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, limit: 500 }));
    expect(sessionIds.length).toBeGreaterThan(3);
    for (const secret of [ADMIN.password, "wrong-password-1", "wrong-password-2", ...sessionIds]) {
      expect(logs).not.toContain(secret);
      expect(responses).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect(api.logs.some((line) => line.route === "/api/auth/login")).toBe(true);
  });
});

describe.each(TEST_DIALECTS)("single-user mode on %s", (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(async () => api?.close());

  it("acts as the local owner of the default workspace, with no sign-in", async () => {
    const client = new ApiClient(api.url);
    const me = await client.json<Me>("GET", "/api/auth/me");
    expect(me).toMatchObject({ mode: "local", via: "local", user: { id: "local" }, csrfToken: null });
    expect(me.workspace).toMatchObject({ id: LOCAL_WORKSPACE_ID, name: "Default", role: "owner" });
    expect((await client.request("POST", "/api/auth/login", { email: ADMIN.email, password: "x" })).status).toBe(400);
    expect(await client.json("GET", "/api/auth/methods")).toEqual({ mode: "local", password: false, oidc: false });
  });

  it("refuses other sites' pages and DNS-rebound host names", async () => {
    const client = new ApiClient(api.url);
    const post = (headers: Record<string, string>) => client.request("POST", "/api/workspaces", { name: "W" }, headers);
    expect((await post({ origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ origin: "null" })).status).toBe(403);
    expect((await post({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ origin: "http://localhost:5173" })).status).toBe(201);
    expect(await rawStatus(api.url, "/api/auth/me", "rebind.evil.example:7420")).toBe(403);
    expect(await rawStatus(api.url, "/api/auth/me", "localhost")).toBe(200);
  });
});

/** fetch cannot set Host; node:http can. */
function rawStatus(base: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, base), { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}

/**
 * Issue 11, item 9, on both databases: sign-in always issues a new session id and never lets a
 * session planted in the browser beforehand (session fixation) act for the user; cookie-
 * authenticated unsafe requests from another origin are refused even with the right CSRF token,
 * while API tokens are unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../accounts/passwords.js";
import { ADMIN, ApiClient, MULTI_USER, sessionCookie } from "../../../testing/clients.js";
import type { ApiToken } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

interface Me {
  user: { email: string };
}

describe.each(TEST_DIALECTS)("sessions and origins on %s", (dialect) => {
  let api: TestApi;
  let anonymous: ApiClient;

  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
    anonymous = new ApiClient(api.url);
    await api.repos.users.create({ email: "mallory@example.com", passwordHash: await hashPassword("mallory-pass-1") });
  });
  afterAll(async () => api?.close());

  const login = (email: string, password: string, cookie?: string) =>
    fetch(`${api.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ email, password }),
    });

  it("issues a new session id at sign-in and ends the one the browser brought along", async () => {
    // Mallory's own session, planted in the victim's browser (e.g. with Path=/api from a sibling site).
    const planted = sessionCookie(await login("mallory@example.com", "mallory-pass-1"));
    const signedIn = await login(ADMIN.email, ADMIN.password, planted);
    expect(signedIn.status).toBe(200);
    const own = sessionCookie(signedIn);
    expect(own).not.toBe(planted);
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };

    // The browser now sends both, the planted one first (more specific paths come first).
    const both = new ApiClient(api.url, { cookie: `${planted}; ${own}`, csrfToken });
    expect((await both.json<Me>("GET", "/api/auth/me")).user.email).toBe(ADMIN.email);
    expect((await new ApiClient(api.url, { cookie: planted }).request("GET", "/api/auth/me")).status).toBe(401);

    // A value chosen by the attacker is never adopted either.
    const chosen = "quire_session=attacker-chosen-value";
    const again = await login(ADMIN.email, ADMIN.password, chosen);
    expect(sessionCookie(again)).not.toBe(chosen);
    expect((await new ApiClient(api.url, { cookie: chosen }).request("GET", "/api/auth/me")).status).toBe(401);
  });

  it("takes no side when a browser sends two live sessions", async () => {
    const first = sessionCookie(await login("mallory@example.com", "mallory-pass-1"));
    const second = sessionCookie(await login(ADMIN.email, ADMIN.password));
    const both = new ApiClient(api.url, { cookie: `${first}; ${second}` });
    expect((await both.request("GET", "/api/auth/me")).status).toBe(401);
  });

  it("refuses cookie-authenticated changes from another origin, even with the CSRF token", async () => {
    const admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    const create = (headers: Record<string, string>) =>
      admin.request("POST", "/api/workspaces", { name: "From elsewhere" }, headers);
    const host = new URL(api.url).host;
    const foreign: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: `http://${host}.evil.example` },
      { origin: "null" },
      { "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "cross-site", origin: api.url },
    ];
    for (const headers of foreign) {
      const response = await create(headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/origin|site/);
    }
    // Signing in from another origin (login CSRF) is refused too.
    const foreignLogin = await anonymous.request(
      "POST",
      "/api/auth/login",
      { email: ADMIN.email, password: ADMIN.password },
      { origin: "https://evil.example" },
    );
    expect(foreignLogin.status).toBe(403);
    const adminId = (await api.repos.users.getByEmail(ADMIN.email))!.id;
    expect((await api.repos.workspaces.listForUser(adminId)).map((m) => m.workspace.name)).not.toContain(
      "From elsewhere",
    );

    // The app's own origin, and scripts that send no Origin, are fine.
    expect((await create({ origin: api.url, "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect((await create({})).status).toBe(201);
    // An API token is sent deliberately: its requests are not judged by their origin.
    const { value } = await admin.json<{ token: ApiToken; value: string }>(
      "POST",
      "/api/tokens",
      { name: "ci", scopes: ["admin"] },
      201,
    );
    const viaToken = new ApiClient(api.url, { token: value });
    const tokenCreate = await viaToken.request(
      "POST",
      "/api/tokens",
      { name: "from-ci", scopes: ["tasks:read"] },
      { origin: "https://ci.example" },
    );
    expect(tokenCreate.status).toBe(201);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api.js";
import { LOCAL_WORKSPACE_ID } from "../storage/index.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { ADMIN, ApiClient, sessionCookie } from "../../testing/clients.js";
import { startTestOidcProvider, type TestOidcProvider, type TestOidcUser } from "../../testing/oidc-provider.js";

interface Me {
  via: string;
  user: { id: string; email: string | null; name: string | null };
  workspace: { id: string; role: string } | null;
}

describe.each(TEST_DIALECTS)("OpenID Connect sign-in on %s", (dialect) => {
  let provider: TestOidcProvider;
  let api: TestApi;
  beforeAll(async () => {
    provider = await startTestOidcProvider();
    api = await startTestApi(dialect, {
      auth: {
        mode: "multi",
        bootstrapAdmin: { email: ADMIN.email },
        oidc: {
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          newUsers: { role: "viewer" },
        },
      },
    });
  });
  afterAll(async () => {
    await api?.close();
    await provider?.close();
  });

  /** Start → the provider's authorization endpoint → the callback, as a browser would follow them. */
  const signIn = async (user: TestOidcUser, tamper: (callback: URL) => void = () => undefined) => {
    provider.nextUser = user;
    const start = await fetch(`${api.url}/api/auth/oidc/start?returnTo=/tasks/42`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith("quire_oidc="))!;
    expect(flowCookie).toMatch(/HttpOnly/);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    const atProvider = await fetch(authorize, { redirect: "manual" });
    expect(atProvider.status).toBe(302);
    const callback = new URL(atProvider.headers.get("location")!);
    tamper(callback);
    return fetch(callback, { redirect: "manual", headers: { cookie: flowCookie.split(";")[0]! } });
  };
  const me = async (callback: Response) =>
    new ApiClient(api.url, { cookie: sessionCookie(callback) }).json<Me>("GET", "/api/auth/me");

  it("creates a user on first sign-in, by issuer and subject, and finds them again", async () => {
    const first = await signIn({ sub: "u-100", email: "new@example.com", email_verified: true, name: "New" });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/tasks/42");
    const created = await me(first);
    expect(created).toMatchObject({
      via: "session",
      user: { email: "new@example.com", name: "New", hasPassword: false },
    });
    expect(created.workspace).toEqual({
      id: LOCAL_WORKSPACE_ID,
      name: "Default",
      createdAt: expect.any(String),
      role: "viewer",
    });
    expect(provider.tokenRequests.at(-1)?.code_verifier).toMatch(/^[\w-]{43,}$/);

    const again = await me(await signIn({ sub: "u-100", email: "changed@example.com", email_verified: true }));
    expect(again.user.id).toBe(created.user.id);
    const entries = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "auth.login" });
    expect(entries.filter((e) => e.actorUserId === created.user.id).map((e) => e.details)).toEqual([
      { method: "oidc", issuer: provider.issuer, created: false, linked: false },
      { method: "oidc", issuer: provider.issuer, created: true, linked: true },
    ]);
  });

  it("links an existing user by verified email only", async () => {
    const admin = await api.repos.users.getByEmail(ADMIN.email);
    const unverified = await me(await signIn({ sub: "u-200", email: ADMIN.email, email_verified: false }));
    expect(unverified.user.id).not.toBe(admin!.id);
    expect(unverified.user.email).toBeNull();
    const linked = await me(await signIn({ sub: "u-300", email: ADMIN.email.toUpperCase(), email_verified: true }));
    expect(linked.user.id).toBe(admin!.id);
    expect(linked.workspace).toMatchObject({ id: LOCAL_WORKSPACE_ID, role: "owner" });
    expect(await api.repos.users.findByIdentity(provider.issuer, "u-300")).toMatchObject({ id: admin!.id });
  });

  it("refuses a forged state, a callback without its browser's flow cookie and a replayed code", async () => {
    const forged = await signIn({ sub: "u-400" }, (callback) => callback.searchParams.set("state", "forged"));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/"state"/);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith("quire_session="))).toBe(false);
    expect(await api.repos.users.findByIdentity(provider.issuer, "u-400")).toBeUndefined();

    let replayed: URL | undefined;
    const ok = await signIn({ sub: "u-500" }, (callback) => (replayed = new URL(callback)));
    expect(ok.status).toBe(302);
    expect((await fetch(replayed!, { redirect: "manual" })).status).toBe(400);
    // Even with the flow cookie copied from before, the provider takes a code once.
    const start = await fetch(`${api.url}/api/auth/oidc/start`, { redirect: "manual" });
    const flowCookie = start.headers
      .getSetCookie()
      .find((c) => c.startsWith("quire_oidc="))!
      .split(";")[0]!;
    const back = new URL(
      (await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get("location")!,
    );
    expect((await fetch(back, { redirect: "manual", headers: { cookie: flowCookie } })).status).toBe(302);
    expect((await fetch(back, { redirect: "manual", headers: { cookie: flowCookie } })).status).toBe(401);

    const failed = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "auth.login_failed" });
    expect(failed.map((e) => e.details.method)).toEqual(["oidc", "oidc"]);
    expect(JSON.stringify(api.logs)).not.toContain(provider.clientSecret);
  });

  it("says single sign-on is available", async () => {
    expect(await new ApiClient(api.url).json("GET", "/api/auth/methods")).toEqual({
      mode: "multi",
      password: true,
      oidc: true,
    });
  });
});

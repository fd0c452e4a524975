/**
 * Invitations end to end over HTTP, on both databases: an admin invites an email with no account,
 * the link's token is shown once and stored hashed; the invitee previews it, sets their own
 * password and is signed in as a member; the link then works no more. Expired and revoked links
 * are refused alike; an account that exists accepts only from its own session; single sign-on with
 * the invited (verified) email takes the invitation, and takes over an account whose email nobody proved.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../accounts/secrets.js";
import { ADMIN, ApiClient, sessionCookie } from "../../../testing/clients.js";
import { followOidcSignIn, startTestOidcProvider, type TestOidcProvider } from "../../../testing/oidc-provider.js";
import { LOCAL_WORKSPACE_ID, type AuditEntry } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

const A = LOCAL_WORKSPACE_ID;

interface Invited {
  invitation: { id: string; email: string; role: string; expiresAt: string };
  token: string;
  acceptPath: string;
  acceptUrl: string;
}

describe.each(TEST_DIALECTS)("invitations on %s", (dialect) => {
  let provider: TestOidcProvider;
  let api: TestApi;
  let admin: ApiClient;
  let anonymous: ApiClient;

  beforeAll(async () => {
    provider = await startTestOidcProvider();
    api = await startTestApi(dialect, {
      auth: {
        mode: "multi",
        bootstrapAdmin: { ...ADMIN },
        oidc: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
      },
    });
    anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await api?.close();
    await provider?.close();
  });

  const invite = (email: string, role = "member") =>
    admin.json<Invited>("POST", `/api/workspaces/${A}/members`, { email, role }, 201);

  it("invites, shows the link once, and lets the invitee set their own password and join", async () => {
    const invited = await invite("Nina@Example.com");
    expect(invited.token).toMatch(/^quire_invite_[\w-]{43}$/);
    expect(invited.acceptPath).toBe(`/invitations/accept#token=${invited.token}`);
    expect(invited.acceptUrl).toBe(`${api.url}${invited.acceptPath}`);
    expect(await api.repos.users.getByEmail("nina@example.com")).toBeUndefined();

    // Listed for admins, without the token; the database keeps only its hash.
    const { invitations } = await admin.json<{ invitations: Record<string, unknown>[] }>(
      "GET",
      `/api/workspaces/${A}/invitations`,
    );
    expect(invitations).toEqual([expect.objectContaining({ id: invited.invitation.id, email: "nina@example.com" })]);
    expect(JSON.stringify(invitations)).not.toContain(invited.token);
    expect(await api.repos.invitations.getOpenByTokenHash(sha256(invited.token))).toMatchObject({
      id: invited.invitation.id,
    });

    const preview = await anonymous.json("POST", "/api/invitations/preview", { token: invited.token });
    expect(preview).toEqual({
      invitation: { email: "nina@example.com", role: "member", expiresAt: invited.invitation.expiresAt },
      workspace: { name: "Default" },
      accountExists: false,
    });
    expect((await anonymous.request("POST", "/api/invitations/accept", { token: invited.token })).status).toBe(400);

    const accepted = await anonymous.request("POST", "/api/invitations/accept", {
      token: invited.token,
      password: "ninas-own-password",
      name: "Nina",
    });
    expect(accepted.status).toBe(200);
    const body = (await accepted.json()) as { csrfToken: string; workspace: { id: string; role: string } };
    expect(body.workspace).toEqual({ id: A, role: "member" });
    const nina = new ApiClient(api.url, { cookie: sessionCookie(accepted), csrfToken: body.csrfToken });
    const me = await nina.json<{ user: { email: string; name: string }; workspace: { id: string; role: string } }>(
      "GET",
      "/api/auth/me",
    );
    expect(me.user).toMatchObject({ email: "nina@example.com", name: "Nina" });
    expect(me.workspace).toMatchObject({ id: A, role: "member" });
    await anonymous.signIn("nina@example.com", "ninas-own-password");

    // Single use: the link is spent, even for its own account.
    for (const client of [anonymous, nina]) {
      const again = await client.request("POST", "/api/invitations/accept", {
        token: invited.token,
        password: "x".repeat(12),
      });
      expect(again.status).toBe(404);
    }
    expect((await anonymous.request("POST", "/api/invitations/preview", { token: invited.token })).status).toBe(404);

    const entries = (await admin.json<{ entries: AuditEntry[] }>("GET", "/api/audit?limit=500")).entries;
    expect(
      entries.find((e) => e.action === "invitation.created" && e.details.email === "nina@example.com"),
    ).toMatchObject({
      actorUserId: (await api.repos.users.getByEmail(ADMIN.email))!.id,
      details: { role: "member", accountExists: false },
    });
    expect(
      entries.find((e) => e.action === "invitation.accepted" && e.details.email === "nina@example.com"),
    ).toMatchObject({ details: { via: "password", created: true } });
    expect(JSON.stringify(entries)).not.toContain(invited.token);
    expect(JSON.stringify(api.logs)).not.toContain(invited.token);
  });

  it("refuses expired, revoked, replaced and made-up links alike, making no account", async () => {
    // Made eight days ago: its week is over.
    const expired = { token: "quire_invite_expired-token-of-a-week-ago" };
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3_600_000);
    await api.repos.invitations.create(
      {
        workspaceId: A,
        email: "old@example.com",
        role: "member",
        tokenHash: sha256(expired.token),
        invitedBy: null,
        expiresAt: new Date(eightDaysAgo.getTime() + 7 * 24 * 3_600_000),
      },
      eightDaysAgo,
    );
    expect((await anonymous.request("POST", "/api/invitations/preview", { token: expired.token })).status).toBe(404);
    const revoked = await invite("gone@example.com");
    expect((await admin.request("DELETE", `/api/workspaces/${A}/invitations/${revoked.invitation.id}`)).status).toBe(
      204,
    );
    expect((await admin.request("DELETE", `/api/workspaces/${A}/invitations/${revoked.invitation.id}`)).status).toBe(
      404,
    );
    const replaced = await invite("twice@example.com");
    await invite("twice@example.com", "viewer");
    for (const token of [expired.token, revoked.token, replaced.token, "quire_invite_made-up", "nonsense"]) {
      const response = await anonymous.request("POST", "/api/invitations/accept", {
        token,
        password: "some-password-1",
      });
      expect(response.status, token).toBe(404);
    }
    for (const email of ["old@example.com", "gone@example.com", "twice@example.com"]) {
      expect(await api.repos.users.getByEmail(email)).toBeUndefined();
    }
  });

  it("lets an existing account accept only from its own session", async () => {
    const other = await api.repos.workspaces.create({
      name: "Other",
      ownerUserId: (await api.repos.users.getByEmail(ADMIN.email))!.id,
    });
    const first = await admin.json<Invited>(
      "POST",
      `/api/workspaces/${other.id}/members`,
      { email: "olga@example.com", role: "viewer" },
      201,
    );
    await anonymous.json("POST", "/api/invitations/accept", { token: first.token, password: "olgas-password-1" });
    const olga = await anonymous.signIn("olga@example.com", "olgas-password-1");
    const olgaId = (await api.repos.users.getByEmail("olga@example.com"))!.id;

    // Olga's email was never proven: the Default workspace invites her rather than adding her.
    const second = await invite("olga@example.com", "member");
    expect(await api.repos.workspaces.roleOf(A, olgaId)).toBeUndefined();
    expect((await anonymous.json("POST", "/api/invitations/preview", { token: second.token })).accountExists).toBe(
      true,
    );
    const signedOut = await anonymous.request("POST", "/api/invitations/accept", {
      token: second.token,
      password: "takeover-pass-1",
    });
    expect(signedOut.status).toBe(409);
    expect((await admin.request("POST", "/api/invitations/accept", { token: second.token })).status).toBe(409);
    await olga.json("POST", "/api/invitations/accept", { token: second.token });
    expect(await api.repos.workspaces.roleOf(A, olgaId)).toBe("member");
  });

  it("takes invitations for a verified email at single sign-on, and ends a password nobody proved", async () => {
    // Someone accepts Pat's invitation with a password of their own (they held the link)...
    const other = await api.repos.workspaces.create({
      name: "Elsewhere",
      ownerUserId: (await api.repos.users.getByEmail(ADMIN.email))!.id,
    });
    const planted = await admin.json<Invited>(
      "POST",
      `/api/workspaces/${other.id}/members`,
      { email: "pat@example.com", role: "viewer" },
      201,
    );
    await anonymous.json("POST", "/api/invitations/accept", { token: planted.token, password: "holders-password" });
    const holder = await anonymous.signIn("pat@example.com", "holders-password");
    await invite("pat@example.com", "member");

    // ...then Pat signs in with single sign-on, the provider vouching for the email.
    const callback = await followOidcSignIn(api.url, provider, {
      sub: "pat",
      email: "pat@example.com",
      email_verified: true,
    });
    expect(callback.status).toBe(302);
    const pat = new ApiClient(api.url, { cookie: sessionCookie(callback) });
    const me = await pat
      .with({ workspace: A })
      .json<{ user: { hasPassword: boolean }; workspace: { role: string } }>("GET", "/api/auth/me");
    expect(me.workspace.role).toBe("member");
    expect(me.user.hasPassword).toBe(false);
    expect((await holder.request("GET", "/api/auth/me")).status).toBe(401);
    expect(
      (await anonymous.request("POST", "/api/auth/login", { email: "pat@example.com", password: "holders-password" }))
        .status,
    ).toBe(401);

    // An unverified email from the provider takes nothing.
    await invite("quinn@example.com", "member");
    const unverified = await followOidcSignIn(api.url, provider, {
      sub: "quinn",
      email: "quinn@example.com",
      email_verified: false,
    });
    const quinn = new ApiClient(api.url, { cookie: sessionCookie(unverified) });
    expect((await quinn.json<{ workspaces: unknown[] }>("GET", "/api/workspaces")).workspaces).toEqual([]);
  });
});

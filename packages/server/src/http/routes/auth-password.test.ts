import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../accounts/passwords.js";
import { csrfTokenFor, newSessionId } from "../../accounts/secrets.js";
import { ADMIN, ApiClient, MULTI_USER } from "../../../testing/clients.js";
import { LOCAL_WORKSPACE_ID, type Member } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

const ALICE = { email: "alice@example.com", password: "alice-old-password-1" };
const ALICE_NEW = "alice-new-password-2";
const CAROL = { email: "carol@example.com", password: "carol-old-password-3" };
const WRONG = "not-alices-password-4";
const CAROL_NEW = "carol-new-password-5";
const SHORT = "short-6";

const PATH = "/api/auth/password";

async function errorOf(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { error?: { message?: string } }).error?.message;
}

describe.each(TEST_DIALECTS)("changing one's password on %s", (dialect) => {
  let api: TestApi;
  let anonymous: ApiClient;
  let admin: ApiClient;
  let aliceId: string;

  const addMember = async (user: { email: string; password: string }) =>
    (
      await admin.json<{ member: Member }>(
        "POST",
        `/api/workspaces/${LOCAL_WORKSPACE_ID}/members`,
        { ...user, role: "member" },
        201,
      )
    ).member.userId;
  const storedHash = (userId: string) => api.repos.users.passwordHashOf(userId);

  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
    anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    aliceId = await addMember(ALICE);
    await addMember(CAROL);
  });
  afterAll(async () => api?.close());

  it("refuses without the CSRF token, from another site, and with an API token (403); nothing changes", async () => {
    const alice = await anonymous.signIn(ALICE.email, ALICE.password);
    const before = await storedHash(aliceId);
    const body = { currentPassword: ALICE.password, newPassword: ALICE_NEW };
    expect((await alice.with({ csrfToken: "" }).request("POST", PATH, body)).status).toBe(403);
    expect((await alice.with({ csrfToken: "forged" }).request("POST", PATH, body)).status).toBe(403);
    expect((await alice.request("POST", PATH, body, { "sec-fetch-site": "cross-site" })).status).toBe(403);

    const { value } = await alice.json<{ value: string }>(
      "POST",
      "/api/tokens",
      { name: "ci", scopes: ["tasks:read"] },
      201,
    );
    const byToken = await anonymous.with({ token: value }).request("POST", PATH, body);
    expect(byToken.status).toBe(403);
    expect(await errorOf(byToken)).toMatch(/only a browser session/);
    // A token next to the cookie is still a token: the middleware picks it first.
    expect((await alice.with({ token: value }).request("POST", PATH, body)).status).toBe(403);
    expect((await anonymous.request("POST", PATH, body)).status).toBe(401);
    expect(await storedHash(aliceId)).toBe(before);
  });

  it("refuses a wrong current password (400, not 401), a short new one and an unchanged one; nothing changes", async () => {
    const alice = await anonymous.signIn(ALICE.email, ALICE.password);
    const before = await storedHash(aliceId);

    const wrong = await alice.request("POST", PATH, { currentPassword: WRONG, newPassword: ALICE_NEW });
    expect(wrong.status).toBe(400);
    expect(await errorOf(wrong)).toBe("current password is wrong");

    const short = await alice.request("POST", PATH, { currentPassword: ALICE.password, newPassword: SHORT });
    expect(short.status).toBe(400);
    expect(await errorOf(short)).toMatch(/newPassword: must be at least 10 characters/);

    const same = await alice.request("POST", PATH, { currentPassword: ALICE.password, newPassword: ALICE.password });
    expect(same.status).toBe(400);
    expect(await errorOf(same)).toBe("the new password must differ from the current one");

    expect((await alice.request("POST", PATH, { currentPassword: ALICE.password })).status).toBe(400);
    expect(await storedHash(aliceId)).toBe(before);
    expect((await alice.request("GET", "/api/auth/me")).status).toBe(200);
    await anonymous.signIn(ALICE.email, ALICE.password); // the old password still works
  });

  it("changes it: the old password no longer signs in, the new one does; other sessions end, this one stays", async () => {
    const alice = await anonymous.signIn(ALICE.email, ALICE.password);
    const aliceElsewhere = await anonymous.signIn(ALICE.email, ALICE.password);
    const othersBefore = await api.repos.audit.list({
      workspaceId: LOCAL_WORKSPACE_ID,
      action: "user.password_changed",
    });
    expect(othersBefore).toEqual([]);

    const changed = await alice.request("POST", PATH, { currentPassword: ALICE.password, newPassword: ALICE_NEW });
    expect(changed.status).toBe(204);
    expect(await changed.text()).toBe("");

    expect((await alice.request("GET", "/api/auth/me")).status).toBe(200);
    expect((await aliceElsewhere.request("GET", "/api/auth/me")).status).toBe(401);
    expect((await admin.request("GET", "/api/auth/me")).status).toBe(200); // another user's session is untouched
    const oldOne = await anonymous.request("POST", "/api/auth/login", ALICE);
    expect(oldOne.status).toBe(401);
    await anonymous.signIn(ALICE.email, ALICE_NEW);

    const hash = (await storedHash(aliceId))!;
    expect(hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword(ALICE_NEW, hash)).toBe(true);

    const [entry, ...more] = await api.repos.audit.list({
      workspaceId: LOCAL_WORKSPACE_ID,
      action: "user.password_changed",
    });
    expect(more).toEqual([]);
    // The first two tests' sessions and aliceElsewhere: every session but the one that asked.
    expect(entry).toMatchObject({ actorUserId: aliceId, actorTokenId: null, target: `user:${aliceId}` });
    expect(entry!.details).toEqual({ endedSessions: 4 });
  });

  it("tells a user who signs in with single sign-on only that they have no password here", async () => {
    const user = await api.repos.users.create({ email: "sso@example.com" });
    await api.repos.workspaces.addMember(LOCAL_WORKSPACE_ID, user.id, "member");
    // As the OpenID Connect callback would: a session for the user, without a password.
    const { id, hash } = newSessionId();
    await api.repos.sessions.create({ idHash: hash, userId: user.id, expiresAt: new Date(Date.now() + 60_000) });
    const sso = anonymous.with({ cookie: `quire_session=${id}`, csrfToken: csrfTokenFor(id) });
    const response = await sso.request("POST", PATH, { currentPassword: "anything-at-all", newPassword: CAROL_NEW });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toBe("you have no password here: you sign in with single sign-on");
    expect(await storedHash(user.id)).toBeNull();
  });

  it("counts wrong current passwords as failed sign-ins: after 5, even the right one is refused (429)", async () => {
    const carolId = (await api.repos.users.getByEmail(CAROL.email))!.id;
    const carol = await anonymous.signIn(CAROL.email, CAROL.password);
    const before = await storedHash(carolId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await carol.request("POST", PATH, { currentPassword: WRONG, newPassword: CAROL_NEW });
      expect(wrong.status, `attempt ${attempt + 1}`).toBe(400);
    }
    const blocked = await carol.request("POST", PATH, { currentPassword: CAROL.password, newPassword: CAROL_NEW });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("60");
    expect((await anonymous.request("POST", "/api/auth/login", CAROL)).status).toBe(429); // sign-in shares the counter
    expect(await storedHash(carolId)).toBe(before);
    expect((await carol.request("GET", "/api/auth/me")).status).toBe(200); // refused, not signed out

    const throttled = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "auth.login_throttled" });
    expect(throttled.map((entry) => [entry.target, entry.details.method, entry.details.email])).toEqual([
      [`user:${carolId}`, "password_change", CAROL.email],
    ]);
  });

  it("never returns, logs or audits a password", async () => {
    const logs = JSON.stringify(api.logs);
    const responses = anonymous.seen.join("\n");
    const audit = JSON.stringify(await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, limit: 500 }));
    expect(responses).toContain(`POST ${PATH} 204`);
    for (const secret of [ALICE.password, ALICE_NEW, CAROL.password, CAROL_NEW, WRONG, SHORT]) {
      expect(logs).not.toContain(secret);
      expect(responses).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});

describe.each(TEST_DIALECTS)("changing a password in single-user mode on %s", (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(async () => api?.close());

  it("answers 400: there are no passwords", async () => {
    const body = { currentPassword: "whatever-it-is", newPassword: "something-longer" };
    const response = await new ApiClient(api.url).request("POST", PATH, body);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/single-user mode/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../accounts/passwords.js";
import { ADMIN, ApiClient, MULTI_USER } from "../../../testing/clients.js";
import { LOCAL_WORKSPACE_ID, type ApiToken, type AuditEntry, type Member } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

const A = LOCAL_WORKSPACE_ID;

describe.each(TEST_DIALECTS)("workspaces, members, isolation and the audit log on %s", (dialect) => {
  let api: TestApi;
  let admin: ApiClient;
  let alice: ApiClient;
  let bob: ApiClient;
  let aliceId: string;
  let adminId: string;
  let workspaceB: string;
  let adminTokenId: string;

  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
    const anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    adminId = (await api.repos.users.getByEmail(ADMIN.email))!.id;
    const added = await admin.json<{ member: Member }>(
      "POST",
      `/api/workspaces/${A}/members`,
      { email: "alice@example.com", role: "member", password: "alice-password-1", name: "Alice" },
      201,
    );
    aliceId = added.member.userId;
    alice = await anonymous.signIn("alice@example.com", "alice-password-1");
    // Bob exists only in workspace B.
    const bobUser = await api.repos.users.create({
      email: "bob@example.com",
      passwordHash: await hashPassword("bob-password-1"),
    });
    workspaceB = (await api.repos.workspaces.create({ name: "B", ownerUserId: bobUser.id })).id;
    bob = await anonymous.signIn("bob@example.com", "bob-password-1");
    adminTokenId = (await admin.json<{ token: ApiToken }>("POST", "/api/tokens", { name: "a", scopes: ["admin"] }, 201))
      .token.id;
  });
  afterAll(async () => api?.close());

  it("lists members to any member; only admins add, change and remove them", async () => {
    const { members } = await alice.json<{ members: Member[] }>("GET", `/api/workspaces/${A}/members`);
    expect(members.map((m) => [m.email, m.role])).toEqual([
      [ADMIN.email, "owner"],
      ["alice@example.com", "member"],
    ]);
    expect(
      (await alice.request("POST", `/api/workspaces/${A}/members`, { email: "c@example.com", role: "viewer" })).status,
    ).toBe(403);
    expect((await alice.request("PATCH", `/api/workspaces/${A}/members/${aliceId}`, { role: "admin" })).status).toBe(
      403,
    );
    expect((await alice.request("DELETE", `/api/workspaces/${A}/members/${adminId}`)).status).toBe(403);
    expect((await alice.request("GET", "/api/audit")).status).toBe(403);

    await admin.json("PATCH", `/api/workspaces/${A}/members/${aliceId}`, { role: "admin" });
    expect((await alice.request("GET", "/api/audit")).status).toBe(200);
    // Owners are managed by owners only.
    expect((await alice.request("PATCH", `/api/workspaces/${A}/members/${aliceId}`, { role: "owner" })).status).toBe(
      403,
    );
    expect((await alice.request("DELETE", `/api/workspaces/${A}/members/${adminId}`)).status).toBe(403);
    // Carol has no account: an admin invites her (no account is made until she accepts).
    const carol = await alice.json<{ invitation: { id: string; email: string; role: string } }>(
      "POST",
      `/api/workspaces/${A}/members`,
      { email: "Carol@Example.com", role: "viewer" },
      201,
    );
    expect(carol.invitation).toMatchObject({ email: "carol@example.com", role: "viewer" });
    expect(await api.repos.users.getByEmail("carol@example.com")).toBeUndefined();
    expect(
      (await alice.request("POST", `/api/workspaces/${A}/members`, { email: "alice@example.com", role: "member" }))
        .status,
    ).toBe(409);
    expect(
      (await alice.request("POST", `/api/workspaces/${workspaceB}/members`, { email: "x@example.com", role: "member" }))
        .status,
    ).toBe(404);
    // An existing user's password is not set by someone else.
    expect(
      (
        await admin.request("POST", `/api/workspaces/${A}/members`, {
          email: "bob@example.com",
          role: "viewer",
          password: "another-password",
        })
      ).status,
    ).toBe(400);
    expect((await alice.request("DELETE", `/api/workspaces/${A}/invitations/${carol.invitation.id}`)).status).toBe(204);
  });

  it("keeps an owner in every workspace, and lets members leave", async () => {
    const last = await admin.request("PATCH", `/api/workspaces/${A}/members/${adminId}`, { role: "admin" });
    expect(last.status).toBe(409);
    expect((await admin.request("DELETE", `/api/workspaces/${A}/members/${adminId}`)).status).toBe(409);
    const dave = await admin.json<{ member: Member }>(
      "POST",
      `/api/workspaces/${A}/members`,
      { email: "dave@example.com", role: "viewer", password: "dave-password-1" },
      201,
    );
    const daveClient = await new ApiClient(api.url).signIn("dave@example.com", "dave-password-1");
    expect((await daveClient.request("DELETE", `/api/workspaces/${A}/members/${dave.member.userId}`)).status).toBe(204);
    expect((await daveClient.request("GET", "/api/tokens")).status).toBe(403); // in no workspace now
    expect((await daveClient.json<{ workspaces: unknown[] }>("GET", "/api/workspaces")).workspaces).toEqual([]);
  });

  it("answers 404 for another workspace's members, tokens and audit log", async () => {
    const mine = await bob.json<{ workspaces: { id: string; role: string }[] }>("GET", "/api/workspaces");
    expect(mine.workspaces).toEqual([expect.objectContaining({ id: workspaceB, name: "B", role: "owner" })]);
    for (const [method, path, body] of [
      ["GET", `/api/workspaces/${A}/members`],
      ["POST", `/api/workspaces/${A}/members`, { email: "eve@example.com", role: "owner" }],
      ["PATCH", `/api/workspaces/${A}/members/${aliceId}`, { role: "viewer" }],
      ["DELETE", `/api/workspaces/${A}/members/${aliceId}`],
      ["DELETE", `/api/tokens/${adminTokenId}`],
    ] as const) {
      expect((await bob.request(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    const inA = bob.with({ workspace: A });
    expect((await inA.request("GET", "/api/audit")).status).toBe(404);
    expect((await inA.request("GET", "/api/tokens")).status).toBe(404);
    expect((await inA.request("GET", "/api/auth/me")).status).toBe(404);
    expect((await api.repos.apiTokens.get(adminTokenId))?.revokedAt).toBeNull();
    expect(await api.repos.users.getByEmail("eve@example.com")).toBeUndefined();

    const own = await bob.json<{ entries: AuditEntry[] }>("GET", "/api/audit");
    expect(own.entries.every((e) => e.workspaceId === workspaceB)).toBe(true);
    const theirs = await admin.json<{ entries: AuditEntry[] }>("GET", "/api/audit?limit=500");
    expect(theirs.entries.some((e) => e.actorUserId === aliceId)).toBe(true);
    expect(theirs.entries.every((e) => e.workspaceId === A)).toBe(true);
    // The header picks among the caller's workspaces.
    const me = await admin.with({ workspace: A }).json<{ workspace: { id: string } }>("GET", "/api/auth/me");
    expect(me.workspace.id).toBe(A);
  });

  it("audits every member and token change with its actor, pages through it, and keeps no password", async () => {
    const created = await admin.json<{ token: ApiToken; value: string }>(
      "POST",
      "/api/tokens",
      { name: "audited", scopes: ["admin"] },
      201,
    );
    const viaToken = new ApiClient(api.url, { token: created.value });
    await viaToken.json("POST", `/api/workspaces/${A}/members`, { email: "frank@example.com", role: "viewer" }, 201);
    const { entries } = await admin.json<{ entries: AuditEntry[] }>("GET", "/api/audit?limit=500");
    const actions = entries.map((e) => e.action);
    for (const action of ["member.added", "member.role_changed", "member.removed", "token.created", "auth.login"]) {
      expect(actions, action).toContain(action);
    }
    const promoted = entries.find((e) => e.action === "member.role_changed" && e.target === `user:${aliceId}`)!;
    expect(promoted).toMatchObject({
      actorUserId: adminId,
      actorTokenId: null,
      details: { from: "member", to: "admin" },
    });
    const added = entries.find((e) => e.action === "member.added" && e.target === `user:${aliceId}`)!;
    expect(added.details).toEqual({ email: "alice@example.com", role: "member", created: true });
    const byToken = entries.find((e) => e.action === "invitation.created" && e.details.email === "frank@example.com")!;
    expect(byToken).toMatchObject({ actorUserId: adminId, actorTokenId: created.token.id });
    expect(JSON.stringify(entries)).not.toMatch(/password-1/);

    const first = await admin.json<{ entries: AuditEntry[]; next: string }>("GET", "/api/audit?limit=2");
    expect(first.entries).toHaveLength(2);
    const second = await admin.json<{ entries: AuditEntry[] }>(
      "GET",
      `/api/audit?limit=2&before=${encodeURIComponent(first.next)}`,
    );
    expect(second.entries[0]?.id).not.toBe(first.entries[1]?.id);
    expect(second.entries.map((e) => e.id)).toEqual(entries.slice(2, 4).map((e) => e.id));
    expect((await admin.request("GET", "/api/audit?before=nonsense")).status).toBe(400);
    // No route changes the log.
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect((await admin.request(method, "/api/audit")).status).toBe(404);
    }
  });

  it("creates workspaces owned by their creator, in sessions but not with tokens", async () => {
    const { workspace } = await alice.json<{ workspace: { id: string; role: string } }>(
      "POST",
      "/api/workspaces",
      { name: "Alice's" },
      201,
    );
    expect(workspace.role).toBe("owner");
    const entries = await api.repos.audit.list({ workspaceId: workspace.id });
    expect(entries.map((e) => [e.action, e.actorUserId])).toEqual([["workspace.created", aliceId]]);
  });
});

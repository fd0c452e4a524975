import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../accounts/audit.js";
import { requireRole, requireScope } from "../../accounts/principal.js";
import { sha256 } from "../../accounts/secrets.js";
import { ADMIN, ApiClient, MULTI_USER } from "../../../testing/clients.js";
import { LOCAL_WORKSPACE_ID, type ApiToken } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

interface Created {
  token: ApiToken;
  value: string;
}

describe.each(TEST_DIALECTS)("API tokens, scopes and roles on %s", (dialect) => {
  let api: TestApi;
  let admin: ApiClient;
  let member: ApiClient;
  let viewer: ApiClient;
  const values: string[] = [];
  const passwords = { member: "member-password-1", viewer: "viewer-password-1" };

  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
    // Tiny routes standing in for the task routes (which the lead scopes): one per helper.
    api.app.post("/api/test/tasks", (c) => {
      requireScope(c, "tasks:write");
      return c.json({ ok: true }, 201);
    });
    api.app.post("/api/test/member-action", (c) => {
      requireRole(c, "member");
      return c.json({ ok: true });
    });
    api.app.post("/api/test/audited", async (c) => {
      const entry = await audit(c, "task.created", "task:t1", { mode: "code", password: "p4ss-word", value: "v4lue" });
      return c.json({ entry });
    });
    const anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    for (const [role, email] of [
      ["member", "member@example.com"],
      ["viewer", "viewer@example.com"],
    ] as const) {
      await admin.json(
        "POST",
        `/api/workspaces/${LOCAL_WORKSPACE_ID}/members`,
        { email, role, password: passwords[role] },
        201,
      );
    }
    member = await anonymous.signIn("member@example.com", passwords.member);
    viewer = await anonymous.signIn("viewer@example.com", passwords.viewer);
  });
  afterAll(async () => api?.close());

  const createToken = async (client: ApiClient, scopes: string[], name = "ci") => {
    const created = await client.json<Created>("POST", "/api/tokens", { name, scopes }, 201);
    values.push(created.value);
    return created;
  };
  const withToken = (value: string) => new ApiClient(api.url, { token: value }, admin.seen);

  it("shows a token's value once, stores only its hash, and records its last use", async () => {
    const { token, value } = await createToken(admin, ["tasks:read"]);
    expect(value).toMatch(/^quire_[\w-]{43}$/);
    expect(token).toMatchObject({ name: "ci", scopes: ["tasks:read"], prefix: value.slice(0, 10), lastUsedAt: null });
    expect(await api.repos.apiTokens.findByHash(sha256(value))).toMatchObject({ id: token.id });
    expect(await api.repos.apiTokens.findByHash(value)).toBeUndefined();

    const read = withToken(value);
    expect((await read.request("GET", "/api/tasks")).status).toBe(200);
    const me = await read.json<{ via: string; scopes: string[] }>("GET", "/api/auth/me");
    expect(me).toMatchObject({ via: "token", scopes: ["tasks:read"] });
    const listed = await admin.json<{ tokens: ApiToken[] }>("GET", "/api/tokens");
    expect(listed.tokens.find((t) => t.id === token.id)?.lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(listed)).not.toContain(value);
  });

  it("lets a token do only what its scopes allow", async () => {
    const read = withToken((await createToken(admin, ["tasks:read"])).value);
    expect((await read.request("POST", "/api/test/tasks")).status).toBe(403);
    expect((await read.request("POST", "/api/tokens", { name: "more", scopes: ["tasks:read"] })).status).toBe(403);
    expect((await read.request("GET", "/api/audit")).status).toBe(403);
    expect((await read.request("POST", "/api/workspaces", { name: "W" })).status).toBe(403);
    const write = withToken((await createToken(admin, ["tasks:write"])).value);
    expect((await write.request("POST", "/api/test/tasks")).status).toBe(201);
    // A token is no browser session: it needs no CSRF token, and cannot sign out.
    expect((await write.request("POST", "/api/auth/logout")).status).toBe(400);
  });

  it("answers 401 for revoked, expired and unknown tokens", async () => {
    const { token, value } = await createToken(admin, ["tasks:read"]);
    const client = withToken(value);
    expect((await client.request("GET", "/api/tasks")).status).toBe(200);
    expect((await admin.request("DELETE", `/api/tokens/${token.id}`)).status).toBe(204);
    const revoked = await client.request("GET", "/api/tasks");
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);

    const expired = await api.repos.apiTokens.create({
      ...{ userId: token.userId, workspaceId: LOCAL_WORKSPACE_ID, name: "old", scopes: ["tasks:read"] },
      ...{ tokenHash: sha256("quire_expired-value"), prefix: "quire_expi", expiresAt: new Date(Date.now() - 1000) },
    });
    expect(expired.expiresAt).not.toBeNull();
    expect((await withToken("quire_expired-value").request("GET", "/api/tasks")).status).toBe(401);
    expect((await withToken("quire_unknown").request("GET", "/api/tasks")).status).toBe(401);
    expect((await withToken("not-a-quire-token").request("GET", "/api/tasks")).status).toBe(401);

    const entries = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "token.revoked" });
    expect(entries.map((e) => e.target)).toEqual([`token:${token.id}`]);
  });

  it("holds viewers to read-only actions, and tokens to their user's current role", async () => {
    expect((await viewer.request("POST", "/api/test/member-action")).status).toBe(403);
    expect((await member.request("POST", "/api/test/member-action")).status).toBe(200);
    const denied = await viewer.request("POST", "/api/tokens", { name: "w", scopes: ["tasks:write"] });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toMatch(/cannot grant tasks:write/);
    expect((await createToken(viewer, ["tasks:read"])).token.scopes).toEqual(["tasks:read"]);
    expect((await member.request("POST", "/api/tokens", { name: "a", scopes: ["admin"] })).status).toBe(403);

    const memberToken = withToken((await createToken(member, ["tasks:write"])).value);
    expect((await memberToken.request("POST", "/api/test/tasks")).status).toBe(201);
    const memberId = (await api.repos.users.getByEmail("member@example.com"))!.id;
    await admin.json("PATCH", `/api/workspaces/${LOCAL_WORKSPACE_ID}/members/${memberId}`, { role: "viewer" });
    expect((await memberToken.request("POST", "/api/test/tasks")).status).toBe(403);
    await admin.json("PATCH", `/api/workspaces/${LOCAL_WORKSPACE_ID}/members/${memberId}`, { role: "member" });
  });

  it("lists a user's own tokens, an admin's everyone's; only owners and admins revoke others'", async () => {
    const mine = await member.json<{ tokens: ApiToken[] }>("GET", "/api/tokens");
    const memberId = (await api.repos.users.getByEmail("member@example.com"))!.id;
    expect(mine.tokens.length).toBeGreaterThan(0);
    expect(mine.tokens.every((t) => t.userId === memberId)).toBe(true);
    const all = await admin.json<{ tokens: ApiToken[] }>("GET", "/api/tokens");
    expect(new Set(all.tokens.map((t) => t.userId)).size).toBeGreaterThan(1);
    const adminToken = all.tokens.find((t) => t.userId !== memberId && t.revokedAt === null)!;
    expect((await member.request("DELETE", `/api/tokens/${adminToken.id}`)).status).toBe(404);
    expect((await admin.request("DELETE", `/api/tokens/${mine.tokens[0]!.id}`)).status).toBe(204);
  });

  it("audits with the helper, redacting secret-looking details", async () => {
    const { entry } = await admin.json<{ entry: { action: string; details: Record<string, unknown> } }>(
      "POST",
      "/api/test/audited",
    );
    expect(entry).toMatchObject({
      action: "task.created",
      details: { mode: "code", password: "[redacted]", value: "[redacted]" },
    });
    const created = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "token.created" });
    expect(created.length).toBe(values.length); // one per token made through the API
  });

  it("never logs a token's value or returns it after creating it", async () => {
    const logs = JSON.stringify(api.logs);
    const audited = JSON.stringify(await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, limit: 500 }));
    expect(values.length).toBeGreaterThan(5);
    for (const value of values) {
      expect(logs).not.toContain(value);
      expect(audited).not.toContain(value);
      const shownIn = admin.seen.filter((line) => line.includes(value));
      expect(shownIn).toHaveLength(1);
      expect(shownIn[0]).toMatch(/^POST \/api\/tokens 201 /);
    }
    for (const password of Object.values(passwords)) {
      expect(logs).not.toContain(password);
      expect(admin.seen.join("\n")).not.toContain(password);
      expect(audited).not.toContain(password);
    }
  });
});

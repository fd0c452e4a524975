/**
 * Account pre-hijacking (issue 11, item 4): a user who owns a workspace of their own must not be
 * able to create, or take, the account of an email address they do not own, so that when a real
 * admin later adds that address the attacker signs in as that person.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, ApiClient, MULTI_USER } from "../../../testing/clients.js";
import { hashPassword } from "../../accounts/passwords.js";
import { LOCAL_WORKSPACE_ID } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

const VICTIM = "victim@example.com";
const CHOSEN = "attackers-chosen-password";

interface Invited {
  invitation: { id: string; email: string };
  token: string;
  acceptPath: string;
}

describe.each(TEST_DIALECTS)("account pre-hijacking on %s", (dialect) => {
  let api: TestApi;
  let admin: ApiClient;
  let mallory: ApiClient;
  let anonymous: ApiClient;
  let workspaceX: string;

  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
    anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    // Mallory is an ordinary user: she creates a workspace of her own, as anyone may.
    await api.repos.users.create({ email: "mallory@example.com", passwordHash: await hashPassword("mallory-pass-1") });
    mallory = await anonymous.signIn("mallory@example.com", "mallory-pass-1");
    workspaceX = (
      await mallory.json<{ workspace: { id: string } }>("POST", "/api/workspaces", { name: "Mallory's" }, 201)
    ).workspace.id;
  });
  afterAll(async () => api?.close());

  it("refuses a password chosen by a workspace owner for a new account; the attacker's password never signs in", async () => {
    const added = await mallory.request("POST", `/api/workspaces/${workspaceX}/members`, {
      email: VICTIM,
      role: "viewer",
      password: CHOSEN,
    });
    expect(added.status).toBe(403);
    expect(await api.repos.users.getByEmail(VICTIM)).toBeUndefined();

    // Later the real admin adds the victim to the Default workspace: an invitation, not an account.
    const invited = await admin.json<Invited>(
      "POST",
      `/api/workspaces/${LOCAL_WORKSPACE_ID}/members`,
      { email: VICTIM, role: "member" },
      201,
    );
    expect(invited.invitation.email).toBe(VICTIM);
    expect((await anonymous.request("POST", "/api/auth/login", { email: VICTIM, password: CHOSEN })).status).toBe(401);
  });

  it("does not let an inviter who accepts their own invitation take the address elsewhere", async () => {
    const email = "victim2@example.com";
    const invited = await mallory.json<Invited>(
      "POST",
      `/api/workspaces/${workspaceX}/members`,
      { email, role: "viewer" },
      201,
    );
    // Mallory holds the link, so she can complete it herself with a password of her choosing.
    await anonymous.json("POST", "/api/invitations/accept", { token: invited.token, password: CHOSEN }, 200);
    const asVictim = await anonymous.signIn(email, CHOSEN);

    // The admin adds that address to the Default workspace: the account's email was never proven,
    // so it gets an invitation that only its real owner receives; the account is not added.
    const second = await admin.json<Invited>(
      "POST",
      `/api/workspaces/${LOCAL_WORKSPACE_ID}/members`,
      { email, role: "member" },
      201,
    );
    expect(second.invitation.email).toBe(email);
    const user = await api.repos.users.getByEmail(email);
    expect(await api.repos.workspaces.roleOf(LOCAL_WORKSPACE_ID, user!.id)).toBeUndefined();
    expect((await asVictim.with({ workspace: LOCAL_WORKSPACE_ID }).request("GET", "/api/tasks")).status).toBe(404);
  });
});

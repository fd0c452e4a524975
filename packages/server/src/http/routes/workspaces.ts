/**
 * Workspaces and their members. The workspace is the one in the path; the caller's role there
 * decides: any member reads the members, admins add (or invite), change and remove them, and only
 * owners touch owners. A workspace the caller is not in answers 404, as if it did not exist.
 */
import type { Context, Hono } from "hono";
import type { Accounts } from "../../accounts/accounts.js";
import { audit } from "../../accounts/audit.js";
import { createInvitation, publicInvitation } from "../../accounts/invitations.js";
import { hashPassword } from "../../accounts/passwords.js";
import { assertRole, assertScope, identityOf, type Principal } from "../../accounts/principal.js";
import type { Role } from "../../accounts/roles.js";
import {
  addedMemberResponse,
  addMemberBody,
  changeRoleBody,
  createWorkspaceBody,
  memberResponse,
  membersResponse,
  workspaceResponse,
  workspacesResponse,
} from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, empty, error, ok } from "../responses.js";
import { LastOwnerError, type Member, type User } from "../../storage/index.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";

export function workspaceRoutes(app: Hono, accounts: Accounts): void {
  const { repos } = accounts;

  const principalIn = async (c: Context): Promise<Principal> => {
    const workspaceId = c.req.param("id")!;
    const principal = await accounts.principalFor(identityOf(c), workspaceId);
    if (!principal) throw new HttpError(404, `no workspace ${workspaceId}`);
    return principal;
  };
  /** Admins manage members; owners are managed by owners only. */
  const manager = (principal: Principal, ...roles: (Role | undefined)[]) => {
    assertScope(principal, "admin");
    assertRole(principal, roles.includes("owner") ? "owner" : "admin");
  };
  const memberOr404 = async (workspaceId: string, userId: string): Promise<Member> => {
    const member = (await repos.workspaces.members(workspaceId)).find((m) => m.userId === userId);
    if (!member) throw new HttpError(404, `no member ${userId} in workspace ${workspaceId}`);
    return member;
  };
  const record = (c: Context, workspaceId: string, action: string, target: string, details: Record<string, unknown>) =>
    audit(c, action, target, details, { workspaceId });
  const keepAnOwner = async <T>(change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } catch (error) {
      if (error instanceof LastOwnerError) throw new HttpError(409, error.message);
      throw error;
    }
  };

  const list = {
    method: "get",
    path: "/api/workspaces",
    summary: "Your workspaces with your role in each",
    responses: { 200: ok("{ workspaces }", workspacesResponse), ...denied },
  } as const;
  declareRoute(app, list, async (c) => {
    const identity = identityOf(c);
    const memberships = await repos.workspaces.listForUser(identity.userId);
    const visible = identity.token
      ? memberships.filter((m) => m.workspace.id === identity.token!.workspaceId)
      : memberships;
    return c.json({ workspaces: visible.map((m) => ({ ...m.workspace, role: m.role })) });
  });

  const create = {
    method: "post",
    path: "/api/workspaces",
    summary: "Create a workspace; you are its owner",
    body: createWorkspaceBody,
    responses: { 201: ok("{ workspace }", workspaceResponse), 400: error("Invalid body."), ...denied },
  } as const;
  declareRoute(app, create, async (c) => {
    const identity = identityOf(c);
    if (identity.via === "token") throw new HttpError(403, "forbidden: API tokens cannot create workspaces");
    const body = parseOr400(createWorkspaceBody, await jsonBody(c), "workspace");
    const workspace = await repos.workspaces.create({ name: body.name, ownerUserId: identity.userId });
    await record(c, workspace.id, "workspace.created", `workspace:${workspace.id}`, { name: workspace.name });
    return c.json({ workspace: { ...workspace, role: "owner" } }, 201);
  });

  const members = {
    method: "get",
    path: "/api/workspaces/{id}/members",
    summary: "The workspace's members",
    responses: {
      200: ok("{ members }", membersResponse),
      404: error("No such workspace (or not yours)."),
      ...denied,
    },
  } as const;
  declareRoute(app, members, async (c) => {
    const principal = await principalIn(c);
    return c.json({ members: await repos.workspaces.members(principal.workspaceId) });
  });

  /**
   * Adds a member by email. A user whose email is proven (single sign-on, or made by the server's
   * admin) is added at once. Anyone else gets an invitation (a link shown once to the caller):
   * no workspace admin creates an account for an address they may not own, nor adds an account
   * whose email nobody proved (docs/accounts.md, Invitations). The server's admin alone may still
   * create an account with a password.
   */
  const addMember = {
    method: "post",
    path: "/api/workspaces/{id}/members",
    summary:
      "Add a member by email (admins; owners to add an owner). A user whose email is proven is added; " +
      "anyone else is invited: the answer then holds the invitation's link, shown this once",
    body: addMemberBody,
    responses: {
      201: ok("{ member } or { invitation, token, acceptPath, acceptUrl }", addedMemberResponse),
      400: error("Invalid body."),
      404: error("No such workspace."),
      409: error("Already a member."),
      ...denied,
      403: error("Not an admin, or a password for a new account from anyone but the server's admin."),
    },
  } as const;
  declareRoute(app, addMember, async (c) => {
    const principal = await principalIn(c);
    const body = parseOr400(addMemberBody, await jsonBody(c), "member");
    manager(principal, body.role);
    const user = await repos.users.getByEmail(body.email);
    if (user && body.password !== undefined) {
      throw new HttpError(400, "invalid member: password: the user exists; their password is theirs to change", [
        { path: "password", message: "the user exists" },
      ]);
    }
    if (user && (await repos.workspaces.roleOf(principal.workspaceId, user.id))) {
      throw new HttpError(409, `${body.email} is already a member; change their role with PATCH`);
    }
    if (user?.emailVerified) return addExisting(c, principal, user, body.role);
    if (!user && body.password !== undefined) {
      const caller = await repos.users.get(principal.userId);
      if (!accounts.isServerAdmin(caller)) {
        throw new HttpError(
          403,
          "forbidden: only the server's admin may choose a password for a new account; leave out password to invite them",
        );
      }
      const created = await repos.users.create({
        email: body.email,
        name: body.name ?? null,
        passwordHash: await hashPassword(body.password),
        emailVerified: true,
      });
      return addExisting(c, principal, created, body.role, true);
    }
    const invited = await createInvitation(repos, {
      workspaceId: principal.workspaceId,
      email: body.email,
      role: body.role,
      name: body.name ?? null,
      invitedBy: principal.userId,
    });
    await record(c, principal.workspaceId, "invitation.created", `invitation:${invited.invitation.id}`, {
      email: invited.invitation.email,
      role: body.role,
      accountExists: user !== undefined,
      expiresAt: invited.invitation.expiresAt,
    });
    return c.json(
      {
        invitation: publicInvitation(invited.invitation),
        token: invited.token,
        acceptPath: invited.acceptPath,
        acceptUrl: new URL(invited.acceptPath, c.req.url).href,
      },
      201,
    );
  });

  const addExisting = async (c: Context, principal: Principal, user: User, role: Role, created = false) => {
    if (!(await repos.workspaces.addMember(principal.workspaceId, user.id, role))) {
      throw new HttpError(409, `${user.email} is already a member; change their role with PATCH`);
    }
    await record(c, principal.workspaceId, "member.added", `user:${user.id}`, { email: user.email, role, created });
    return c.json({ member: await memberOr404(principal.workspaceId, user.id) }, 201);
  };

  const changeRole = {
    method: "patch",
    path: "/api/workspaces/{id}/members/{userId}",
    summary: "Change a member's role (admins; owners for anything touching an owner)",
    body: changeRoleBody,
    responses: {
      200: ok("{ member }", memberResponse),
      400: error("Invalid body."),
      404: error("No such member."),
      409: error("The workspace would have no owner."),
      ...denied,
    },
  } as const;
  declareRoute(app, changeRole, async (c) => {
    const principal = await principalIn(c);
    const body = parseOr400(changeRoleBody, await jsonBody(c), "member");
    const member = await memberOr404(principal.workspaceId, c.req.param("userId"));
    manager(principal, member.role, body.role);
    await keepAnOwner(() => repos.workspaces.setRole(principal.workspaceId, member.userId, body.role));
    if (member.role !== body.role) {
      await record(c, principal.workspaceId, "member.role_changed", `user:${member.userId}`, {
        from: member.role,
        to: body.role,
      });
    }
    return c.json({ member: await memberOr404(principal.workspaceId, member.userId) });
  });

  const removeMember = {
    method: "delete",
    path: "/api/workspaces/{id}/members/{userId}",
    summary: "Remove a member (or leave)",
    responses: {
      204: empty("Removed."),
      404: error("No such member."),
      409: error("The workspace would have no owner."),
      ...denied,
    },
  } as const;
  declareRoute(app, removeMember, async (c) => {
    const principal = await principalIn(c);
    const member = await memberOr404(principal.workspaceId, c.req.param("userId"));
    // Anyone may leave; removing someone else takes an admin (an owner for an owner).
    if (member.userId !== principal.userId) manager(principal, member.role);
    await keepAnOwner(() => repos.workspaces.removeMember(principal.workspaceId, member.userId));
    await record(c, principal.workspaceId, "member.removed", `user:${member.userId}`, {
      email: member.email,
      role: member.role,
    });
    return c.body(null, 204);
  });
}

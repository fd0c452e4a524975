/** The accounts routes in the OpenAPI document (http/openapi.ts spreads these in). */
import {
  acceptInvitationBody,
  addMemberBody,
  changePasswordBody,
  changeRoleBody,
  createTokenBody,
  createWorkspaceBody,
  invitationTokenBody,
  loginBody,
} from "./schemas.js";
import { body, error, ok, schemaOf, type JsonObject } from "../http/openapi-parts.js";

const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const redirect = (description: string) => ({ description, headers: { location: { schema: { type: "string" } } } });
const denied = { "401": error("Not signed in."), "403": error("Not allowed (role, scope or CSRF token).") };

export function accountPaths(): JsonObject {
  return {
    "/api/auth/methods": {
      get: {
        summary: "How to sign in: { mode, password, oidc } (no credentials needed)",
        responses: { "200": ok("") },
      },
    },
    "/api/auth/login": {
      post: {
        summary: "Sign in with email and password: sets the session cookie; gives the CSRF token",
        requestBody: body("Login"),
        responses: {
          "200": ok("{ user, csrfToken }"),
          "400": error("Invalid body, or single-user mode."),
          "401": error("Wrong email or password."),
          "429": {
            ...error("Too many failed sign-ins from this address (for this email, or for all): try again later."),
            headers: { "retry-after": { description: "Seconds to wait.", schema: { type: "integer" } } },
          },
        },
      },
    },
    "/api/auth/logout": {
      post: { summary: "End this browser session", responses: { "204": { description: "Signed out." }, ...denied } },
    },
    "/api/auth/password": {
      post: {
        summary: "Change your password (browser sessions only); ends your other sessions",
        requestBody: body("ChangePassword"),
        responses: {
          "204": { description: "Changed; this session stays signed in, the others are signed out." },
          "400": error(
            "Invalid body (e.g. too short), the current password is wrong, the new one is the same, " +
              "or you sign in with single sign-on only.",
          ),
          "401": error("Not signed in."),
          "403": error("An API token (tokens cannot change passwords), or a missing CSRF token."),
          "429": {
            ...error("Too many wrong passwords from this address: try again later."),
            headers: { "retry-after": { description: "Seconds to wait.", schema: { type: "integer" } } },
          },
        },
      },
    },
    "/api/auth/me": {
      get: {
        summary: "Who is asking: user, current workspace and role, scopes, workspaces, CSRF token (sessions)",
        responses: { "200": ok("{ mode, via, user, workspace, scopes, workspaces, csrfToken }"), ...denied },
      },
    },
    "/api/auth/oidc/start": {
      get: {
        summary: "Start OpenID Connect sign-in: redirects to the provider",
        parameters: [{ name: "returnTo", in: "query", schema: { type: "string" } }],
        responses: { "302": redirect("To the provider."), "404": error("Single sign-on is not configured.") },
      },
    },
    "/api/auth/oidc/callback": {
      get: {
        summary: "The provider's redirect back: signs in (linking or creating the user) and redirects to returnTo",
        responses: {
          "302": redirect("Signed in."),
          "400": error("No sign-in in progress in this browser."),
          "401": error("The provider's answer did not check out."),
        },
      },
    },
    "/api/tokens": {
      get: {
        summary: "API tokens of the workspace (yours; an admin's: everyone's)",
        responses: { "200": ok("{ tokens }"), ...denied },
      },
      post: {
        summary: "Create an API token; its value is in this response only",
        requestBody: body("CreateToken"),
        responses: { "201": ok("{ token, value }"), "400": error("Invalid body."), ...denied },
      },
    },
    "/api/tokens/{id}": {
      delete: {
        summary: "Revoke an API token",
        parameters: [path("id")],
        responses: { "204": { description: "Revoked." }, "404": error("No such token in the workspace."), ...denied },
      },
    },
    "/api/workspaces": {
      get: { summary: "Your workspaces with your role in each", responses: { "200": ok("{ workspaces }"), ...denied } },
      post: {
        summary: "Create a workspace; you are its owner",
        requestBody: body("CreateWorkspace"),
        responses: { "201": ok("{ workspace }"), "400": error("Invalid body."), ...denied },
      },
    },
    "/api/workspaces/{id}/members": {
      get: {
        summary: "The workspace's members",
        parameters: [path("id")],
        responses: { "200": ok("{ members }"), "404": error("No such workspace (or not yours)."), ...denied },
      },
      post: {
        summary:
          "Add a member by email (admins; owners to add an owner). A user whose email is proven is added; " +
          "anyone else is invited: the answer then holds the invitation's link, shown this once",
        parameters: [path("id")],
        requestBody: body("AddMember"),
        responses: {
          "201": ok("{ member } or { invitation, token, acceptPath, acceptUrl }"),
          "400": error("Invalid body."),
          "404": error("No such workspace."),
          "409": error("Already a member."),
          ...denied,
          "403": error("Not an admin, or a password for a new account from anyone but the server's admin."),
        },
      },
    },
    "/api/workspaces/{id}/members/{userId}": {
      patch: {
        summary: "Change a member's role (admins; owners for anything touching an owner)",
        parameters: [path("id"), path("userId")],
        requestBody: body("ChangeRole"),
        responses: {
          "200": ok("{ member }"),
          "404": error("No such member."),
          "409": error("The workspace would have no owner."),
          ...denied,
        },
      },
      delete: {
        summary: "Remove a member (or leave)",
        parameters: [path("id"), path("userId")],
        responses: {
          "204": { description: "Removed." },
          "404": error("No such member."),
          "409": error("The workspace would have no owner."),
          ...denied,
        },
      },
    },
    "/api/workspaces/{id}/invitations": {
      get: {
        summary: "The workspace's open invitations, without their tokens (admins)",
        parameters: [path("id")],
        responses: { "200": ok("{ invitations }"), "404": error("No such workspace (or not yours)."), ...denied },
      },
    },
    "/api/workspaces/{id}/invitations/{invitationId}": {
      delete: {
        summary: "Revoke an open invitation (admins)",
        parameters: [path("id"), path("invitationId")],
        responses: { "204": { description: "Revoked." }, "404": error("No such open invitation."), ...denied },
      },
    },
    "/api/invitations/preview": {
      post: {
        summary: "What an invitation's token invites to (no credentials: the token is one)",
        requestBody: body("InvitationToken"),
        responses: {
          "200": ok("{ invitation: { email, role, expiresAt }, workspace: { name }, accountExists }"),
          "404": error("Unknown, used, revoked or expired."),
        },
      },
    },
    "/api/invitations/accept": {
      post: {
        summary:
          "Accept an invitation: with no account for the email, `password` creates one and signs it in; " +
          "with an account, only that account's session may accept",
        requestBody: body("AcceptInvitation"),
        responses: {
          "200": ok("{ user, workspace: { id, role }, csrfToken }"),
          "400": error("Invalid body, or a password is needed."),
          "404": error("Unknown, used, revoked or expired."),
          "409": error("An account has this email: sign in as it first."),
        },
      },
    },
    "/api/audit": {
      get: {
        summary: "The workspace's audit log, newest first (admins and owners)",
        parameters: [
          { name: "action", in: "query", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
          { name: "before", in: "query", schema: { type: "string" } },
        ],
        responses: { "200": ok("{ entries, next }"), "400": error("Invalid query."), ...denied },
      },
    },
  };
}

export function accountSchemas(): JsonObject {
  return {
    Login: schemaOf(loginBody),
    ChangePassword: schemaOf(changePasswordBody),
    CreateToken: schemaOf(createTokenBody),
    CreateWorkspace: schemaOf(createWorkspaceBody),
    AddMember: schemaOf(addMemberBody),
    ChangeRole: schemaOf(changeRoleBody),
    InvitationToken: schemaOf(invitationTokenBody),
    AcceptInvitation: schemaOf(acceptInvitationBody),
  };
}

/** How requests authenticate in multi-user mode. */
export const securitySchemes: JsonObject = {
  token: { type: "http", scheme: "bearer", description: "An API token, quire_…" },
  session: { type: "apiKey", in: "cookie", name: "quire_session", description: "Plus x-csrf-token on unsafe methods." },
};

/**
 * Invitations (accounts/invitations.ts): a workspace's admins list and revoke the open ones; the
 * invitee, holding the link's token and nothing else, previews and accepts one. Accepting with no
 * account for the email makes one with the invitee's own password and signs them in (a new
 * session id); with an account, only that account's session may accept.
 */
import type { Context, Hono } from "hono";
import type { Accounts } from "../../accounts/accounts.js";
import { audit } from "../../accounts/audit.js";
import { sessionIdsFrom } from "../../accounts/cookies.js";
import { recordInvitationAccepted } from "../../accounts/invitation-audit.js";
import { acceptInvitation, openInvitation, publicInvitation } from "../../accounts/invitations.js";
import { assertRole, assertScope, identityOf, type Principal } from "../../accounts/principal.js";
import {
  acceptedInvitationResponse,
  acceptInvitationBody,
  invitationPreviewResponse,
  invitationsResponse,
  invitationTokenBody,
} from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, empty, error, ok } from "../responses.js";
import { refuseCrossSite } from "../auth-middleware.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";
import { publicUser, startFreshSession } from "./auth.js";

export function invitationRoutes(app: Hono, accounts: Accounts): void {
  const { repos } = accounts;

  const adminIn = async (c: Context): Promise<Principal> => {
    const workspaceId = c.req.param("id")!;
    const principal = await accounts.principalFor(identityOf(c), workspaceId);
    if (!principal) throw new HttpError(404, `no workspace ${workspaceId}`);
    assertScope(principal, "admin");
    return assertRole(principal, "admin");
  };
  const requireMultiUser = () => {
    if (accounts.mode !== "multi") throw new HttpError(400, "single-user mode: there are no invitations");
  };

  const list = {
    method: "get",
    path: "/api/workspaces/{id}/invitations",
    summary: "The workspace's open invitations, without their tokens (admins)",
    responses: {
      200: ok("{ invitations }", invitationsResponse),
      404: error("No such workspace (or not yours)."),
      ...denied,
    },
  } as const;
  declareRoute(app, list, async (c) => {
    const principal = await adminIn(c);
    const open = await repos.invitations.listOpen(principal.workspaceId);
    return c.json({ invitations: open.map(publicInvitation) });
  });

  const revoke = {
    method: "delete",
    path: "/api/workspaces/{id}/invitations/{invitationId}",
    summary: "Revoke an open invitation (admins)",
    responses: { 204: empty("Revoked."), 404: error("No such open invitation."), ...denied },
  } as const;
  declareRoute(app, revoke, async (c) => {
    const principal = await adminIn(c);
    const id = c.req.param("invitationId");
    const invitation = await repos.invitations.get(principal.workspaceId, id);
    if (!invitation || !(await repos.invitations.revoke(principal.workspaceId, id))) {
      throw new HttpError(404, `no open invitation ${id} in workspace ${principal.workspaceId}`);
    }
    await audit(
      c,
      "invitation.revoked",
      `invitation:${id}`,
      { email: invitation.email },
      {
        workspaceId: principal.workspaceId,
      },
    );
    return c.body(null, 204);
  });

  /** What the accept page shows before the invitee commits to anything. */
  const preview = {
    method: "post",
    path: "/api/invitations/preview",
    summary: "What an invitation's token invites to (no credentials: the token is one)",
    body: invitationTokenBody,
    responses: {
      200: ok(
        "{ invitation: { email, role, expiresAt }, workspace: { name }, accountExists }",
        invitationPreviewResponse,
      ),
      400: error("Invalid body, or single-user mode."),
      404: error("Unknown, used, revoked or expired."),
    },
  } as const;
  declareRoute(app, preview, async (c) => {
    requireMultiUser();
    const body = parseOr400(invitationTokenBody, await jsonBody(c), "invitation");
    const invitation = await openInvitation(repos, body.token);
    const workspace = await repos.workspaces.get(invitation.workspaceId);
    return c.json({
      invitation: { email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt },
      workspace: { name: workspace?.name ?? invitation.workspaceId },
      accountExists: (await repos.users.getByEmail(invitation.email)) !== undefined,
    });
  });

  const accept = {
    method: "post",
    path: "/api/invitations/accept",
    summary:
      "Accept an invitation: with no account for the email, `password` creates one and signs it in; " +
      "with an account, only that account's session may accept",
    body: acceptInvitationBody,
    responses: {
      200: ok("{ user, workspace: { id, role }, csrfToken }", acceptedInvitationResponse),
      400: error("Invalid body, or a password is needed."),
      403: error("A cross-site request, or another account's session."),
      404: error("Unknown, used, revoked or expired."),
      409: error("An account has this email: sign in as it first."),
    },
  } as const;
  declareRoute(app, accept, async (c) => {
    requireMultiUser();
    refuseCrossSite(c, "multi", accounts.multi?.publicOrigins);
    const body = parseOr400(acceptInvitationBody, await jsonBody(c), "invitation");
    const signedIn = await accounts.authenticateSessions(sessionIdsFrom(c)).catch(() => undefined);
    const accepted = await acceptInvitation(repos, body.token, {
      password: body.password,
      name: body.name,
      signedInUserId: signedIn?.identity.userId,
    });
    await recordInvitationAccepted(
      repos,
      accepted.invitation,
      accepted.user,
      accepted.created ? "password" : "session",
      accepted.created,
    );
    const workspace = { id: accepted.invitation.workspaceId, role: accepted.invitation.role };
    if (!accepted.created) return c.json({ user: publicUser(accepted.user), workspace, csrfToken: null });
    // The new account signs in at once, with a session id of its own (none the browser brought).
    const session = await startFreshSession(c, accounts, accepted.user.id);
    return c.json({ user: publicUser(accepted.user), workspace, csrfToken: session.csrfToken });
  });
}

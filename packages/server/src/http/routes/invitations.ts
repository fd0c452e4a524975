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
import { acceptInvitationBody, invitationTokenBody } from "../../accounts/schemas.js";
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

  app.get("/api/workspaces/:id/invitations", async (c) => {
    const principal = await adminIn(c);
    const open = await repos.invitations.listOpen(principal.workspaceId);
    return c.json({ invitations: open.map(publicInvitation) });
  });

  app.delete("/api/workspaces/:id/invitations/:invitationId", async (c) => {
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
  app.post("/api/invitations/preview", async (c) => {
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

  app.post("/api/invitations/accept", async (c) => {
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

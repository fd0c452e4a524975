/** Audit entries of invitations accepted outside a workspace admin's request (the invitee's own). */
import type { Invitation, Repos, User } from "../storage/index.js";
import { appendAudit } from "./audit.js";

export async function recordInvitationAccepted(
  repos: Repos,
  invitation: Invitation,
  user: User,
  via: "password" | "session" | "oidc",
  created = false,
): Promise<void> {
  await appendAudit(repos, {
    workspaceId: invitation.workspaceId,
    actorUserId: user.id,
    actorTokenId: null,
    action: "invitation.accepted",
    target: `invitation:${invitation.id}`,
    details: { email: invitation.email, role: invitation.role, via, created, invitedBy: invitation.invitedBy },
  });
}

/**
 * Invitations: how someone without an account joins a workspace. The inviter gets a link with a
 * random token once (the server keeps its sha256); whoever opens it sets their own password, or
 * signs in with single sign-on under the invited email. No workspace admin ever chooses another
 * person's password (issue 11, item 4: account pre-hijacking).
 *
 * An account made through a link is not proof that its holder owns the email (the inviter had the
 * link too), so it starts unverified: another workspace adding that email gets an invitation of its
 * own, which only a session of that account can accept, and a single sign-on provider vouching for
 * the email later takes the account over from whoever set its password.
 */
import { HttpError } from "../errors.js";
import type { Invitation, Repos, Role, User } from "../storage/index.js";
import { hashPassword } from "./passwords.js";
import { randomSecret, sha256, TOKEN_PREFIX } from "./secrets.js";

/** A week: long enough to reach someone, short enough that a forgotten link goes stale. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
/** Starts like every Quire secret, so the audit log and secret scanners redact it. */
export const INVITATION_PREFIX = `${TOKEN_PREFIX}invite_`;
/** The web app's page; the token goes in the fragment, which browsers never send to a server or in a Referer. */
export const ACCEPT_PAGE = "/invitations/accept";

export interface NewInvitationResult {
  invitation: Invitation;
  /** Shown once, to the inviter. */
  token: string;
  /** `ACCEPT_PAGE#token=…`: the link to hand to the invitee. */
  acceptPath: string;
}

export async function createInvitation(
  repos: Repos,
  input: { workspaceId: string; email: string; role: Role; name?: string | null; invitedBy: string | null },
  now: Date = new Date(),
): Promise<NewInvitationResult> {
  // One live link per person and workspace: inviting again replaces the older link.
  for (const open of await repos.invitations.listOpenForEmail(input.email, now)) {
    if (open.workspaceId === input.workspaceId) await repos.invitations.revoke(open.workspaceId, open.id, now);
  }
  const token = INVITATION_PREFIX + randomSecret();
  const invitation = await repos.invitations.create(
    { ...input, tokenHash: sha256(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) },
    now,
  );
  return { invitation, token, acceptPath: `${ACCEPT_PAGE}#token=${token}` };
}

/** The open invitation of a token; 404 (one message for unknown, used, revoked and expired). */
export async function openInvitation(repos: Repos, token: string, now: Date = new Date()): Promise<Invitation> {
  const invitation = token.startsWith(INVITATION_PREFIX)
    ? await repos.invitations.getOpenByTokenHash(sha256(token), now)
    : undefined;
  if (!invitation) {
    throw new HttpError(404, "this invitation link is not valid: it was already used, was revoked or has expired");
  }
  return invitation;
}

export interface Acceptance {
  user: User;
  invitation: Invitation;
  /** A new account was made. */
  created: boolean;
}

/**
 * Accepts an invitation. With no account for the email yet, `password` makes one (unverified, see
 * above). With an account, only that account's own session may accept: the link alone must not
 * add someone else's account to a workspace, nor let its holder into it.
 */
export async function acceptInvitation(
  repos: Repos,
  token: string,
  input: { password?: string; name?: string; signedInUserId?: string },
  now: Date = new Date(),
): Promise<Acceptance> {
  const invitation = await openInvitation(repos, token, now);
  const existing = await repos.users.getByEmail(invitation.email);
  if (existing) {
    if (input.signedInUserId !== existing.id) {
      throw new HttpError(
        409,
        `an account for ${invitation.email} exists: sign in as ${invitation.email}, then open the invitation link again`,
      );
    }
    await claim(repos, invitation, existing.id, now);
    await repos.workspaces.addMember(invitation.workspaceId, existing.id, invitation.role);
    return { user: existing, invitation, created: false };
  }
  if (input.password === undefined) {
    throw new HttpError(400, "invalid invitation: password: choose a password for your new account", [
      { path: "password", message: "required" },
    ]);
  }
  const passwordHash = await hashPassword(input.password);
  // Claimed before the account is made, so two browsers racing with one link make one account.
  await claim(repos, invitation, null, now);
  const user = await repos.users.create(
    { email: invitation.email, name: input.name ?? invitation.name, passwordHash, emailVerified: false },
    now,
  );
  await repos.invitations.setAcceptedBy(invitation.id, user.id);
  await repos.workspaces.addMember(invitation.workspaceId, user.id, invitation.role);
  return { user, invitation, created: true };
}

async function claim(repos: Repos, invitation: Invitation, userId: string | null, now: Date): Promise<void> {
  if (await repos.invitations.markAccepted(invitation.id, userId, now)) return;
  throw new HttpError(404, "this invitation link is not valid: it was already used, was revoked or has expired");
}

/**
 * After a single sign-on that vouched for the user's email: every open invitation for that email
 * is theirs to take (an invitation names an email; the provider proved it). Returns those taken.
 */
export async function acceptInvitationsForVerifiedEmail(
  repos: Repos,
  user: User,
  now: Date = new Date(),
): Promise<Invitation[]> {
  if (!user.email) return [];
  const taken: Invitation[] = [];
  for (const invitation of await repos.invitations.listOpenForEmail(user.email, now)) {
    if (!(await repos.invitations.markAccepted(invitation.id, user.id, now))) continue;
    await repos.workspaces.addMember(invitation.workspaceId, user.id, invitation.role);
    taken.push(invitation);
  }
  return taken;
}

/** What an invitation shows: to its inviter's admins, and (with the token) to the invitee. */
export function publicInvitation(invitation: Invitation) {
  const { id, workspaceId, email, role, name, invitedBy, createdAt, expiresAt } = invitation;
  return { id, workspaceId, email, role, name, invitedBy, createdAt, expiresAt };
}

/**
 * Which user an OpenID Connect sign-in is: the one already linked to (issuer, subject); else the
 * user with the same email, when the provider says it verified that email (an admin may have
 * added them by email before their first sign-in); else a new user.
 */
import type { Repos, User } from "../storage/index.js";
import type { OidcOptions } from "./auth-options.js";
import type { OidcClaims } from "./oidc.js";

export interface OidcSignIn {
  user: User;
  /** A new user was made. */
  created: boolean;
  /** The identity was linked to a user now (made now or found by email). */
  linked: boolean;
  /**
   * The account had an unproven email (made through an invitation link) and a password: the
   * provider proved the email belongs to someone else than whoever may have set that password, so
   * the password was removed and its sessions ended.
   */
  passwordCleared: boolean;
}

export async function userForOidcClaims(repos: Repos, claims: OidcClaims, options: OidcOptions): Promise<OidcSignIn> {
  const known = await repos.users.findByIdentity(claims.issuer, claims.subject);
  if (known) return { user: known, created: false, linked: false, passwordCleared: false };

  // An unverified email proves nothing: linking on it would let anyone claim an account.
  const email = claims.email && claims.emailVerified ? claims.email : null;
  const byEmail = email ? await repos.users.getByEmail(email) : undefined;
  if (byEmail) {
    const passwordCleared = !byEmail.emailVerified && byEmail.hasPassword;
    if (passwordCleared) {
      // Pre-hijacking: whoever held an invitation link may have set this password. The email's
      // proven owner takes the account; the password and every session made with it go.
      await repos.users.setPasswordHash(byEmail.id, null);
      await repos.sessions.deleteAllOfUser(byEmail.id);
    }
    await repos.users.setEmailVerified(byEmail.id, true);
    await repos.users.linkIdentity(byEmail.id, claims.issuer, claims.subject);
    const user = (await repos.users.get(byEmail.id)) ?? byEmail;
    return { user, created: false, linked: true, passwordCleared };
  }

  const user = await repos.users.create({ email, name: claims.name, emailVerified: email !== null });
  await repos.users.linkIdentity(user.id, claims.issuer, claims.subject);
  if (options.newUsers) {
    const { workspaceId, role } = options.newUsers;
    if (await repos.workspaces.get(workspaceId)) await repos.workspaces.addMember(workspaceId, user.id, role);
  }
  return { user, created: true, linked: true, passwordCleared: false };
}

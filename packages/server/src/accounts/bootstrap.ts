/** The first administrator of a multi-user server, from configuration, so someone can sign in. */
import type { Logger } from "pino";
import { LastOwnerError, LOCAL_USER_ID, LOCAL_WORKSPACE_ID, type Repos } from "../storage/index.js";
import { appendAudit } from "./audit.js";
import type { MultiUserOptions } from "./auth-options.js";
import { hashPassword } from "./passwords.js";

/**
 * Creates the bootstrap admin as owner of the default workspace (where everything made in
 * single-user mode lives) unless a user with that email exists. An existing user is left as is:
 * the configured password is only the first one, and changing the file does not reset it.
 * Without a password the admin signs in through single sign-on (with that verified email).
 */
export async function ensureBootstrapAdmin(
  repos: Repos,
  admin: NonNullable<MultiUserOptions["bootstrapAdmin"]>,
  logger: Logger,
): Promise<void> {
  if (await repos.users.getByEmail(admin.email)) return;
  const passwordHash = admin.password === undefined ? null : await hashPassword(admin.password);
  let user;
  try {
    // The operator named this address: it is as verified as anything on this server.
    user = await repos.users.create({
      email: admin.email,
      name: admin.name ?? null,
      passwordHash,
      emailVerified: true,
    });
  } catch (error) {
    // Another process starting at the same time created it first.
    if (await repos.users.getByEmail(admin.email)) return;
    throw error;
  }
  await repos.workspaces.addMember(LOCAL_WORKSPACE_ID, user.id, "owner");
  await appendAudit(repos, {
    workspaceId: LOCAL_WORKSPACE_ID,
    actorUserId: null,
    actorTokenId: null,
    action: "user.created",
    target: `user:${user.id}`,
    details: { email: user.email, via: "bootstrap", role: "owner" },
  });
  logger.info({ user: user.id }, "bootstrap admin created");
}

/**
 * In multi-user mode the default workspace belongs to real people: the implicit local owner
 * (who cannot sign in) leaves it once someone else owns it, so it neither shows among the
 * members nor counts as the owner that must remain. Without another owner it stays.
 */
export async function retireLocalOwner(repos: Repos): Promise<void> {
  try {
    if (!(await repos.workspaces.removeMember(LOCAL_WORKSPACE_ID, LOCAL_USER_ID))) return;
  } catch (error) {
    if (error instanceof LastOwnerError) return;
    throw error;
  }
  await appendAudit(repos, {
    workspaceId: LOCAL_WORKSPACE_ID,
    actorUserId: null,
    actorTokenId: null,
    action: "member.removed",
    target: `user:${LOCAL_USER_ID}`,
    details: { role: "owner", reason: "multi-user mode: the single-user owner leaves" },
  });
}

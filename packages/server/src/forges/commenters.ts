/**
 * Who may start work from a forge comment: a user with write access to the project (asked from
 * the forge), who, on a multi-user server, is a member (not a viewer) of the repository's
 * workspace, found by the configured login mapping or by a verified email: the forge's public
 * email (which each forge only lets its users set to an address they verified) matching a Quire
 * user whose email is verified.
 */
import { LOCAL_USER_ID, type Repository } from "../storage/index.js";
import { roleAtLeast } from "../accounts/roles.js";
import type { ForgeClient, ForgeUser } from "./client.js";
import type { ForgeContext } from "./settings.js";
import type { ForgeActor } from "./start-task.js";

export type Commenter = { ok: true; actor: ForgeActor } | { ok: false; why: string };

export async function commenterFor(
  ctx: ForgeContext,
  client: ForgeClient,
  repository: Repository,
  user: ForgeUser,
): Promise<Commenter> {
  const kind = client.target.kind;
  if (!(await client.canWrite(user))) return { ok: false, why: "no write access to the repository" };
  const workspaceId = repository.workspaceId;
  if (!workspaceId) return { ok: false, why: "the repository belongs to no workspace" };
  if (!ctx.forgeSettings.multiUser)
    return { ok: true, actor: { userId: LOCAL_USER_ID, workspaceId, forge: kind, login: user.login } };
  const mapped =
    ctx.delivery.forges[kind].members[user.login] ?? ctx.delivery.forges[kind].members[user.login.toLowerCase()];
  let quireUser = mapped ? await ctx.repos.users.getByEmail(mapped) : undefined;
  if (!quireUser && !mapped) {
    const email = await client.publicEmail(user).catch(() => null);
    const found = email ? await ctx.repos.users.getByEmail(email) : undefined;
    if (found?.emailVerified) quireUser = found;
  }
  if (!quireUser) return { ok: false, why: "no Quire account is mapped to this forge user" };
  const role = await ctx.repos.workspaces.roleOf(workspaceId, quireUser.id);
  if (!role || !roleAtLeast(role, "member")) return { ok: false, why: "not a member of the repository's workspace" };
  return { ok: true, actor: { userId: quireUser.id, workspaceId, forge: kind, login: user.login } };
}

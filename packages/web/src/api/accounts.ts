/**
 * The accounts, tokens, members, audit and usage routes (docs/accounts.md,
 * docs/plans-and-limits.md), over the same request() as the rest of the API.
 */
import type {
  AddedMember,
  ApiToken,
  AuditPage,
  AuthMethods,
  Invitation,
  InvitationPreview,
  Me,
  Member,
  NewApiToken,
  NewMember,
  PublicUser,
  Role,
  UsageLimits,
  UsageQuery,
  UsageReport,
  WorkspaceWithRole,
} from "@quire/protocol";
import { request } from "./client";

const workspacePath = (id: string) => `/api/workspaces/${encodeURIComponent(id)}`;
const memberPath = (workspaceId: string, userId: string) =>
  `${workspacePath(workspaceId)}/members/${encodeURIComponent(userId)}`;

export function usageSearch(query: UsageQuery): string {
  const search = new URLSearchParams();
  if (query.from) search.set("from", query.from);
  if (query.to) search.set("to", query.to);
  // The server's default is per task; the app always says which.
  search.set("groupBy", query.groupBy ?? "task");
  return search.toString();
}

/** The CSV of the same report, as a download. */
export function usageCsvUrl(query: UsageQuery): string {
  return `/api/usage.csv?${usageSearch(query)}`;
}

export const accountsApi = {
  methods: () => request<AuthMethods>("GET", "/api/auth/methods"),
  /** A 401 here is the answer "not signed in", which the caller handles. */
  me: () => request<Me>("GET", "/api/auth/me", undefined, { expect401: true }),
  login: (email: string, password: string) =>
    request<{ user: PublicUser; csrfToken: string }>(
      "POST",
      "/api/auth/login",
      { email, password },
      { expect401: true },
    ),
  logout: () => request<void>("POST", "/api/auth/logout"),
  /** The server signs out the user's other sessions; a wrong current password is a 400, not a 401. */
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>("POST", "/api/auth/password", { currentPassword, newPassword }),

  tokens: async () => (await request<{ tokens: ApiToken[] }>("GET", "/api/tokens")).tokens,
  /** The value is in this answer only: the server keeps a hash. */
  createToken: (token: NewApiToken) => request<{ token: ApiToken; value: string }>("POST", "/api/tokens", token),
  revokeToken: (id: string) => request<void>("DELETE", `/api/tokens/${encodeURIComponent(id)}`),

  workspaces: async () => (await request<{ workspaces: WorkspaceWithRole[] }>("GET", "/api/workspaces")).workspaces,
  members: async (workspaceId: string) =>
    (await request<{ members: Member[] }>("GET", `${workspacePath(workspaceId)}/members`)).members,
  /** A proven account is added; anyone else gets an invitation, whose link is in this answer only. */
  addMember: (workspaceId: string, member: NewMember) =>
    request<AddedMember>("POST", `${workspacePath(workspaceId)}/members`, member),
  invitations: async (workspaceId: string) =>
    (await request<{ invitations: Invitation[] }>("GET", `${workspacePath(workspaceId)}/invitations`)).invitations,
  revokeInvitation: (workspaceId: string, id: string) =>
    request<void>("DELETE", `${workspacePath(workspaceId)}/invitations/${encodeURIComponent(id)}`),
  previewInvitation: (token: string) => request<InvitationPreview>("POST", "/api/invitations/preview", { token }),
  /** With no account for the email, `password` makes one and signs it in (the answer has its CSRF token). */
  acceptInvitation: (token: string, account: { password?: string; name?: string }) =>
    request<{ user: PublicUser; workspace: { id: string; role: Role }; csrfToken: string | null }>(
      "POST",
      "/api/invitations/accept",
      { token, ...account },
      { expect401: true },
    ),
  changeRole: async (workspaceId: string, userId: string, role: Role) =>
    (await request<{ member: Member }>("PATCH", memberPath(workspaceId, userId), { role })).member,
  removeMember: (workspaceId: string, userId: string) => request<void>("DELETE", memberPath(workspaceId, userId)),

  audit: (query: { action?: string; before?: string; limit?: number }) => {
    const search = new URLSearchParams();
    if (query.action) search.set("action", query.action);
    if (query.before) search.set("before", query.before);
    if (query.limit) search.set("limit", String(query.limit));
    return request<AuditPage>("GET", `/api/audit?${search.toString()}`);
  },

  usage: (query: UsageQuery) => request<UsageReport>("GET", `/api/usage?${usageSearch(query)}`),
  limits: () => request<UsageLimits>("GET", "/api/usage/limits"),
};

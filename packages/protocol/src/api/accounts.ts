/** Accounts (docs/accounts.md): sign-in, the current identity, API tokens, workspaces, members, invitations, audit. */
import { z } from "zod";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROLES, SCOPES } from "../constants.js";
import { timestamp } from "./common.js";

export const roleSchema = z.enum(ROLES);
export const scopeSchema = z.enum(SCOPES);

/** `GET /api/auth/methods`: single-user ("local") or multi-user, and how to sign in. */
export const authMethodsSchema = z
  .object({ mode: z.enum(["local", "multi"]), password: z.boolean(), oidc: z.boolean() })
  .meta({ id: "AuthMethods" });

export const publicUserSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    /** False for single sign-on users: no password to change here. */
    hasPassword: z.boolean(),
  })
  .meta({ id: "User" });

export const workspaceWithRoleSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: timestamp, role: roleSchema })
  .meta({ id: "WorkspaceWithRole" });

/** `GET /api/auth/me`. */
export const meSchema = z
  .object({
    mode: z.enum(["local", "multi"]),
    via: z.enum(["local", "session", "token"]),
    user: publicUserSchema,
    workspace: workspaceWithRoleSchema.nullable(),
    scopes: z.array(scopeSchema),
    workspaces: z.array(workspaceWithRoleSchema),
    csrfToken: z.string().nullable(),
  })
  .meta({ id: "Me" });

/** What may be shown about a token: never its value (only in the response that created it) or hash. */
export const apiTokenSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(scopeSchema),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: "ApiToken" });

export const memberSchema = z
  .object({
    userId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    role: roleSchema,
    joinedAt: timestamp,
  })
  .meta({ id: "Member" });

/** An open invitation (never its token, except in the answer that made it). */
export const invitationSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    email: z.string(),
    role: roleSchema,
    name: z.string().nullable(),
    invitedBy: z.string().nullable(),
    createdAt: timestamp,
    expiresAt: timestamp,
  })
  .meta({ id: "Invitation" });

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: timestamp,
    workspaceId: z.string().nullable(),
    actorUserId: z.string().nullable(),
    actorTokenId: z.string().nullable(),
    /** e.g. `auth.login`, `token.created`, `member.role_changed`, `task.created`. */
    action: z.string(),
    /** What the action was done to, e.g. `token:<id>`, `user:<id>`, `task:<id>`. */
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEntry" });

const email = z.string().trim().min(3).max(320);

export const loginBody = z
  .object({ email, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) })
  .strict()
  .meta({ id: "Login" });

/** The same length rule as every other password the server sets. */
const newPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const changePasswordBody = z
  .object({
    currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    newPassword: newPassword.describe(
      `At least ${MIN_PASSWORD_LENGTH} characters, and not the current password. Other sessions are ended.`,
    ),
  })
  .strict()
  .meta({ id: "ChangePassword" });

export const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe("What the token is for, e.g. the CI job that uses it."),
    scopes: z
      .array(scopeSchema)
      .min(1)
      .describe("admin implies every scope; x:write implies x:read. Only scopes your role allows."),
    expiresInDays: z.number().int().min(1).max(3_650).optional().describe("Never expires when absent."),
  })
  .strict()
  .meta({ id: "CreateToken" });

export const createWorkspaceBody = z
  .object({ name: z.string().trim().min(1).max(100) })
  .strict()
  .meta({ id: "CreateWorkspace" });

export const addMemberBody = z
  .object({
    email,
    role: roleSchema,
    name: z.string().trim().min(1).max(200).optional(),
    password: newPassword
      .optional()
      .describe(
        "The server's admin only (QUIRE_ADMIN_EMAIL), and only when no user has this email yet: creates an account " +
          "with this password. Anyone else adding a new email gets an invitation link to hand to the invitee.",
      ),
  })
  .strict()
  .meta({ id: "AddMember" });

/** The invitation's token, from the fragment of its link. */
const invitationToken = z.string().min(1).max(200);

export const invitationTokenBody = z.object({ token: invitationToken }).strict().meta({ id: "InvitationToken" });

export const acceptInvitationBody = z
  .object({
    token: invitationToken,
    password: newPassword
      .optional()
      .describe("Required when no account has the invited email yet: the new account's password."),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: "AcceptInvitation" });

export const changeRoleBody = z.object({ role: roleSchema }).strict().meta({ id: "ChangeRole" });

export const auditQuery = z
  .object({
    action: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    before: z.string().min(1).max(200).optional().describe("The `next` cursor of the previous page."),
  })
  .strict();

export const oidcStartQuery = z.object({ returnTo: z.string().optional() });

export const signedInResponse = z.object({ user: publicUserSchema, csrfToken: z.string() });
export const tokensResponse = z.object({ tokens: z.array(apiTokenSchema) });
export const createdTokenResponse = z.object({ token: apiTokenSchema, value: z.string() });
export const workspacesResponse = z.object({ workspaces: z.array(workspaceWithRoleSchema) });
export const workspaceResponse = z.object({ workspace: workspaceWithRoleSchema });
export const membersResponse = z.object({ members: z.array(memberSchema) });
export const memberResponse = z.object({ member: memberSchema });
/** No proven account for the email: an invitation, with its link shown this once. */
export const invitedResponse = z.object({
  invitation: invitationSchema,
  token: z.string(),
  acceptPath: z.string(),
  acceptUrl: z.string(),
});
export const addedMemberResponse = z.union([memberResponse, invitedResponse]);
export const invitationsResponse = z.object({ invitations: z.array(invitationSchema) });
export const invitationPreviewResponse = z.object({
  invitation: z.object({ email: z.string(), role: roleSchema, expiresAt: timestamp }),
  workspace: z.object({ name: z.string() }),
  accountExists: z.boolean(),
});
export const acceptedInvitationResponse = z.object({
  user: publicUserSchema,
  workspace: z.object({ id: z.string(), role: roleSchema }),
  /** Null when an existing account accepted from its own session (it keeps its token). */
  csrfToken: z.string().nullable(),
});
export const auditPageResponse = z.object({
  entries: z.array(auditEntrySchema),
  /** The cursor of the next (older) page; null at the end. */
  next: z.string().nullable(),
});

export type AuthMethods = z.infer<typeof authMethodsSchema>;
export type PublicUser = z.infer<typeof publicUserSchema>;
export type WorkspaceWithRole = z.infer<typeof workspaceWithRoleSchema>;
export type Me = z.infer<typeof meSchema>;
export type ApiToken = z.infer<typeof apiTokenSchema>;
export type NewApiToken = z.input<typeof createTokenBody>;
export type Member = z.infer<typeof memberSchema>;
export type NewMember = z.input<typeof addMemberBody>;
export type Invitation = z.infer<typeof invitationSchema>;
export type AddedMember = z.infer<typeof addedMemberResponse>;
export type InvitationPreview = z.infer<typeof invitationPreviewResponse>;
export type AcceptedInvitation = z.infer<typeof acceptedInvitationResponse>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditPage = z.infer<typeof auditPageResponse>;

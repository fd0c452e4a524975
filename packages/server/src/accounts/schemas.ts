/** Request shapes of the accounts routes; the OpenAPI document is generated from the same schemas. */
import { z } from "zod";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./passwords.js";
import { ROLES, SCOPES } from "./roles.js";

const email = z.string().trim().min(3).max(320);

export const loginBody = z
  .object({
    email,
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  })
  .strict();

/** The same length rule as every other password the server sets (passwords.ts). */
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
  .strict();

export const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe("What the token is for, e.g. the CI job that uses it."),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .describe("admin implies every scope; x:write implies x:read. Only scopes your role allows."),
    expiresInDays: z.number().int().min(1).max(3_650).optional().describe("Never expires when absent."),
  })
  .strict();

export const createWorkspaceBody = z.object({ name: z.string().trim().min(1).max(100) }).strict();

export const addMemberBody = z
  .object({
    email,
    role: z.enum(ROLES),
    name: z.string().trim().min(1).max(200).optional(),
    password: newPassword
      .optional()
      .describe(
        "The server's admin only (QUIRE_ADMIN_EMAIL), and only when no user has this email yet: creates an account " +
          "with this password. Anyone else adding a new email gets an invitation link to hand to the invitee.",
      ),
  })
  .strict();

/** The invitation's token, from the fragment of its link. */
const invitationToken = z.string().min(1).max(200);

export const invitationTokenBody = z.object({ token: invitationToken }).strict();

export const acceptInvitationBody = z
  .object({
    token: invitationToken,
    password: newPassword
      .optional()
      .describe("Required when no account has the invited email yet: the new account's password."),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const changeRoleBody = z.object({ role: z.enum(ROLES) }).strict();

export const auditQuery = z
  .object({
    action: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    before: z.string().min(1).max(200).optional().describe("The `next` cursor of the previous page."),
  })
  .strict();

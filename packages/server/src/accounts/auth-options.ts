/**
 * How a server authenticates: single-user local mode (the default: no sign-in, every request is
 * the local owner) or multi-user mode (password and/or OpenID Connect sign-in, API tokens).
 */
import { isIP } from "node:net";
import { z } from "zod";
import { LOCAL_WORKSPACE_ID } from "../storage/index.js";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./passwords.js";
import { ROLES } from "./roles.js";

const oidcSchema = z
  .object({
    /** The provider's issuer URL; its `/.well-known/openid-configuration` is fetched. */
    issuer: z.url(),
    clientId: z.string().min(1),
    /** Absent for a public client (PKCE only). */
    clientSecret: z.string().min(1).optional(),
    /**
     * This server's `/api/auth/oidc/callback` as browsers reach it, registered with the provider.
     * Defaults to the callback on the origin the sign-in started from; set it behind a proxy.
     */
    redirectUri: z.url().optional(),
    scopes: z.array(z.string().min(1)).default(["openid", "email", "profile"]),
    /** Users signing in for the first time join this workspace with this role; otherwise none. */
    newUsers: z
      .object({ workspaceId: z.string().min(1).default(LOCAL_WORKSPACE_ID), role: z.enum(ROLES) })
      .strict()
      .optional(),
  })
  .strict();

const multiSchema = z
  .object({
    mode: z.literal("multi"),
    /**
     * Signs the short-lived single sign-on cookie. Give the same one to every API process behind
     * one address; when absent a random one is made per process.
     */
    sessionSecret: z.string().min(32, "sessionSecret: at least 32 characters").optional(),
    /** How long a sign-in lasts; two weeks by default. */
    sessionTtlMs: z
      .number()
      .int()
      .min(60_000)
      .default(14 * 24 * 3_600_000),
    oidc: oidcSchema.optional(),
    /**
     * Origins the web app is served from (`https://quire.example.com`), for a reverse proxy that
     * does not pass the `Host` browsers used. Cookie-authenticated changes must come from the
     * request's own host or one of these (http/auth-middleware.ts).
     */
    publicOrigins: z.array(z.url().transform((url) => new URL(url).origin)).default([]),
    /**
     * Created at start, as owner of the default workspace, when no user has this email yet.
     * Without a password it signs in through OpenID Connect (the provider verifying the email).
     */
    bootstrapAdmin: z
      .object({
        email: z.email(),
        password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).optional(),
        name: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const authSchema = z.discriminatedUnion("mode", [z.object({ mode: z.literal("local") }).strict(), multiSchema]);

export type AuthOptions = z.input<typeof authSchema>;
export type OidcOptions = z.output<typeof oidcSchema>;
export type ResolvedAuthOptions = z.output<typeof authSchema>;
export type MultiUserOptions = z.output<typeof multiSchema>;
export type AuthMode = ResolvedAuthOptions["mode"];

/** Validates the options (local mode when none); throws an Error that says what is wrong. */
export function resolveAuthOptions(options: AuthOptions | undefined): ResolvedAuthOptions {
  const result = authSchema.safeParse(options ?? { mode: "local" });
  if (result.success) return result.data;
  // Never echo the values: they include the bootstrap password and secrets.
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "auth"}: ${issue.message}`);
  throw new Error(`invalid auth options: ${problems.join("; ")}`);
}

/** Loopback names and addresses: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .replace(/^\[(.*)\]$/, "$1")
    .toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  const mapped = name.replace(/^::ffff:/, "");
  if (isIP(mapped) === 4) return mapped.startsWith("127.");
  if (isIP(name) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(name);
  return false;
}

/**
 * Refuses to listen beyond this machine without authentication: in local mode anyone who can
 * reach the port would act as the owner (run tasks, read secrets' names, deliver code).
 */
export function assertSafeBind(host: string, auth: AuthMode | AuthOptions | undefined): void {
  const mode = typeof auth === "string" ? auth : (auth?.mode ?? "local");
  if (mode === "multi" || isLoopbackHost(host)) return;
  const where = host.trim() === "" || host === "0.0.0.0" || host === "::" ? "every network interface" : host;
  throw new Error(
    `refusing to listen on ${where} without authentication: in single-user mode anyone who can reach the ` +
      `port acts as the owner. Listen on 127.0.0.1 (the default), or configure multi-user mode ` +
      `(auth mode "multi" with a bootstrap admin or OpenID Connect); see docs/accounts.md.`,
  );
}

/**
 * `quire serve --auth multi`: multi-user mode, configured from the environment so that no
 * password or client secret ever sits on a command line (visible to every user in `ps`).
 */
import type { AuthOptions } from "@quire/server";

export function authFromEnv(mode: "local" | "multi", env: NodeJS.ProcessEnv): AuthOptions {
  if (mode === "local") return { mode: "local" };
  const oidc = env.QUIRE_OIDC_ISSUER
    ? {
        issuer: env.QUIRE_OIDC_ISSUER,
        clientId: env.QUIRE_OIDC_CLIENT_ID ?? "",
        ...(env.QUIRE_OIDC_CLIENT_SECRET ? { clientSecret: env.QUIRE_OIDC_CLIENT_SECRET } : {}),
        ...(env.QUIRE_OIDC_REDIRECT_URI ? { redirectUri: env.QUIRE_OIDC_REDIRECT_URI } : {}),
      }
    : undefined;
  const bootstrapAdmin = env.QUIRE_ADMIN_EMAIL
    ? { email: env.QUIRE_ADMIN_EMAIL, ...(env.QUIRE_ADMIN_PASSWORD ? { password: env.QUIRE_ADMIN_PASSWORD } : {}) }
    : undefined;
  // Comma-separated: the origins browsers reach the app at, when a proxy rewrites Host.
  const publicOrigins = (env.QUIRE_PUBLIC_ORIGIN ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    mode: "multi",
    ...(env.QUIRE_SESSION_SECRET ? { sessionSecret: env.QUIRE_SESSION_SECRET } : {}),
    ...(publicOrigins.length > 0 ? { publicOrigins } : {}),
    ...(bootstrapAdmin ? { bootstrapAdmin } : {}),
    ...(oidc ? { oidc } : {}),
  };
}

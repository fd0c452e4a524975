/**
 * Credentials written into a repository's URL (`https://user:token@host/owner/repo.git`). They are
 * taken out before the URL is stored, shown or audited, kept encrypted as the repository's secret,
 * and given back to git only in its environment (an Authorization header through GIT_CONFIG_*),
 * never in its arguments, where other users of the machine could read them, nor in a URL, which
 * git writes into the clone's config and prints in errors.
 */
import type { UrlCredentials } from "../storage/index.js";

export class UrlCredentialsError extends Error {}

/** The URL without credentials, and the credentials it had (null: none). */
export function splitUrlCredentials(source: string): { url: string; credentials: UrlCredentials | null } {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source)) return { url: source, credentials: null };
  let parsed: URL;
  try {
    parsed = new URL(source);
  } catch {
    // Unparsable: refuse rather than store what might hold a token. The URL is not echoed.
    throw new UrlCredentialsError("the URL cannot be parsed");
  }
  if (!parsed.username && !parsed.password) return { url: source, credentials: null };
  const web = parsed.protocol === "https:" || parsed.protocol === "http:";
  if (!web) {
    // ssh: the user is the login (kept); a password cannot be given to ssh without a prompt.
    if (parsed.password) throw new UrlCredentialsError("an ssh URL cannot carry a password: use an ssh key");
    return { url: source, credentials: null };
  }
  const credentials = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), credentials };
}

/** The `Authorization` header value git sends for these credentials (HTTP Basic). */
export function basicAuthorization(credentials: UrlCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/**
 * Environment for git commands that clone or fetch `url` with the credentials: the header in
 * GIT_CONFIG_*, and no redirects, so that it cannot follow one to another server.
 */
export function gitCredentialEnv(url: string, credentials: UrlCredentials | null): Record<string, string> {
  if (!credentials || !/^https?:\/\//i.test(url)) return {};
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: ${basicAuthorization(credentials)}`,
    GIT_CONFIG_KEY_1: "http.followRedirects",
    GIT_CONFIG_VALUE_1: "false",
  };
}

/** The values to redact from anything git says while using them. */
export function credentialSecrets(credentials: UrlCredentials | null): Record<string, string> {
  if (!credentials) return {};
  return {
    REPOSITORY_PASSWORD: credentials.password,
    REPOSITORY_USER: credentials.username,
    REPOSITORY_BASIC_AUTH: basicAuthorization(credentials).slice("Basic ".length),
  };
}

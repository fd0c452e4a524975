/**
 * Which forges Quire works with (GitHub, GitLab, Gitea/Forgejo), with which tokens and webhook
 * secrets, and which remote hosts belong to them. One instance of each: a token is only ever sent
 * to its own instance (its API, and git pushes to the hosts listed for it). The values come from
 * config.toml `[forges.*]` and the environment (docs/forges.md); the environment wins.
 */
import type { ForgeKind } from "@quire/protocol";
import { z } from "zod";
import type { RemoteLocation } from "./remote-url.js";

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** An API base URL: https, or plain http on this machine (a local forge or a test server), never elsewhere. */
const serviceUrl = z
  .url({ protocol: /^https?$/ })
  .refine((url) => url.startsWith("https:") || isLoopbackHost(new URL(url).hostname), {
    message: "must be https (plain http only for localhost): a token must not cross the network in clear",
  })
  .transform((url) => url.replace(/\/+$/, ""));

const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.:[\]-]+$/, "a host name such as github.example.com, without scheme, path or port");

const secret = z.string().min(1).optional();

/** Forge login → the email of a Quire user, for deciding who a commenter is on a multi-user server. */
const members = z.record(z.string().min(1), z.email()).default({});

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, "");

const github = z
  .object({
    token: secret,
    webhookSecret: secret,
    /** GitHub's REST API; for GitHub Enterprise Server `https://<host>/api/v3`. */
    apiUrl: serviceUrl.default("https://api.github.com"),
    /** Remote hosts served by that API. Default: github.com for api.github.com, else the API's host. */
    hosts: z.array(hostName).optional(),
    members,
  })
  .transform((config) => ({
    ...config,
    hosts: config.hosts ?? [hostOf(config.apiUrl) === "api.github.com" ? "github.com" : hostOf(config.apiUrl)],
  }));

const gitlab = z
  .object({
    token: secret,
    webhookSecret: secret,
    /** The GitLab instance (its web root; the API is under `/api/v4`). */
    host: serviceUrl.default("https://gitlab.com"),
    /** Remote hosts served by that instance. Default: the instance's own host. */
    hosts: z.array(hostName).optional(),
    members,
  })
  .transform((config) => ({ ...config, hosts: config.hosts ?? [hostOf(config.host)] }));

const gitea = z
  .object({
    token: secret,
    webhookSecret: secret,
    /** The Gitea (or Forgejo) instance's web root; the API is under `/api/v1`. Self-hosted only: no default. */
    url: serviceUrl.optional(),
    hosts: z.array(hostName).optional(),
    members,
  })
  .transform((config) => ({ ...config, hosts: config.hosts ?? (config.url ? [hostOf(config.url)] : []) }));

export const forgesConfig = z.object({
  github: github.prefault({}),
  gitlab: gitlab.prefault({}),
  gitea: gitea.prefault({}),
  /** The name comments mention (`@quire`). */
  mention: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a forge user name, without the @")
    .default("quire"),
  /** Where the web app is reached, for links in comments; default: the server's own address. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export type ForgesConfig = z.output<typeof forgesConfig>;
export type ForgesConfigInput = z.input<typeof forgesConfig>;
export type ForgeKindName = ForgeKind;

/** The environment variables read for each forge, unless config.toml names others (`token_env`, `webhook_secret_env`). */
export const FORGE_ENV = {
  github: { token: "GITHUB_TOKEN", webhookSecret: "QUIRE_GITHUB_WEBHOOK_SECRET", url: "QUIRE_GITHUB_API_URL" },
  gitlab: { token: "GITLAB_TOKEN", webhookSecret: "QUIRE_GITLAB_WEBHOOK_SECRET", url: "QUIRE_GITLAB_URL" },
  gitea: { token: "GITEA_TOKEN", webhookSecret: "QUIRE_GITEA_WEBHOOK_SECRET", url: "QUIRE_GITEA_URL" },
} as const;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "the name of an environment variable, not a value");

const fileForge = z.strictObject({
  api_url: z.string().optional(),
  url: z.string().optional(),
  hosts: z.array(z.string()).optional(),
  token_env: envName.optional(),
  webhook_secret_env: envName.optional(),
  members: z.record(z.string(), z.string()).optional(),
});

/** config.toml's `[forges]` table as written (snake_case); secrets are never in the file, only their variables' names. */
export const forgesFileSchema = z.strictObject({
  mention: z.string().optional(),
  public_url: z.string().optional(),
  github: fileForge.omit({ url: true }).optional(),
  gitlab: fileForge.omit({ api_url: true }).optional(),
  gitea: fileForge.omit({ api_url: true }).optional(),
});

export type ForgesFile = z.infer<typeof forgesFileSchema>;

/**
 * The forge configuration from config.toml's `[forges]` table (unknown here: parsed) and the
 * environment. Pure: the environment is an argument, so callers and tests choose it. Throws a
 * ZodError naming the key when something is wrong.
 */
export function forgesFromConfig(env: Record<string, string | undefined>, file: unknown): ForgesConfig {
  const parsed = forgesFileSchema.parse(file ?? {});
  const fromEnv = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const section = (kind: ForgeKindName) => {
    const table: z.infer<typeof fileForge> = parsed[kind] ?? {};
    const names = FORGE_ENV[kind];
    const url = fromEnv(names.url) ?? table.api_url ?? table.url;
    return {
      token: fromEnv(table.token_env ?? names.token),
      webhookSecret: fromEnv(table.webhook_secret_env ?? names.webhookSecret),
      hosts: table.hosts,
      members: table.members,
      ...(url === undefined ? {} : kind === "github" ? { apiUrl: url } : kind === "gitlab" ? { host: url } : { url }),
    };
  };
  return forgesConfig.parse({
    github: section("github"),
    gitlab: section("gitlab"),
    gitea: section("gitea"),
    mention: fromEnv("QUIRE_FORGE_MENTION") ?? parsed.mention,
    publicUrl: parsed.public_url,
  });
}

/**
 * The forge configuration with tokens taken from GITHUB_TOKEN / GITLAB_TOKEN / GITEA_TOKEN where
 * the configuration gives none (and webhook secrets from their variables likewise).
 */
export function forgesFromEnv(env: Record<string, string | undefined>, input: ForgesConfigInput = {}): ForgesConfig {
  const fromEnv = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const withSecrets = <T extends { token?: string; webhookSecret?: string }>(kind: ForgeKindName, given?: T) => ({
    ...given,
    token: given?.token ?? fromEnv(FORGE_ENV[kind].token),
    webhookSecret: given?.webhookSecret ?? fromEnv(FORGE_ENV[kind].webhookSecret),
  });
  return forgesConfig.parse({
    ...input,
    github: withSecrets("github", input.github),
    gitlab: withSecrets("gitlab", input.gitlab),
    gitea: withSecrets("gitea", input.gitea),
  });
}

export type ForgeTarget =
  | { kind: "github"; host: string; owner: string; repo: string; apiUrl: string; token?: string }
  | { kind: "gitlab"; host: string; projectPath: string; apiHost: string; token?: string }
  | { kind: "gitea"; host: string; owner: string; repo: string; apiUrl: string; token?: string };

/** A repository's link to its forge project, as stored: `owner/name` (GitLab: `group/sub/name`). */
export interface ForgeLink {
  kind: ForgeKindName;
  repo: string;
}

/** The forge project a link names, or null when that forge is not configured (Gitea without a URL). */
export function forgeTargetOf(link: ForgeLink, forges: ForgesConfig): ForgeTarget | null {
  const parts = link.repo.split("/");
  if (link.kind === "gitlab") {
    const host = forges.gitlab.hosts[0] ?? hostOf(forges.gitlab.host);
    return { kind: "gitlab", host, projectPath: link.repo, apiHost: forges.gitlab.host, token: forges.gitlab.token };
  }
  const [owner, repo] = parts;
  if (!owner || !repo || parts.length !== 2) return null;
  if (link.kind === "github") {
    const host = forges.github.hosts[0] ?? hostOf(forges.github.apiUrl);
    return { kind: "github", host, owner, repo, apiUrl: forges.github.apiUrl, token: forges.github.token };
  }
  if (!forges.gitea.url) return null;
  const host = forges.gitea.hosts[0] ?? hostOf(forges.gitea.url);
  return { kind: "gitea", host, owner, repo, apiUrl: `${forges.gitea.url}/api/v1`, token: forges.gitea.token };
}

/** The forge project a remote location belongs to, or null when no configured forge serves its host. */
export function forgeFor(location: RemoteLocation, forges: ForgesConfig): ForgeTarget | null {
  const { host, path } = location;
  if (forges.github.hosts.includes(host)) {
    // GitHub repositories are always owner/name; anything deeper is not a GitHub repository URL.
    const [owner, repo, ...rest] = path.split("/");
    if (!owner || !repo || rest.length > 0) return null;
    return { kind: "github", host, owner, repo, apiUrl: forges.github.apiUrl, token: forges.github.token };
  }
  if (forges.gitlab.hosts.includes(host)) {
    return { kind: "gitlab", host, projectPath: path, apiHost: forges.gitlab.host, token: forges.gitlab.token };
  }
  if (forges.gitea.url && forges.gitea.hosts.includes(host)) {
    const [owner, repo, ...rest] = path.split("/");
    if (!owner || !repo || rest.length > 0) return null;
    return { kind: "gitea", host, owner, repo, apiUrl: `${forges.gitea.url}/api/v1`, token: forges.gitea.token };
  }
  return null;
}

/** The link a remote location makes by itself (a URL on a configured forge host), or null. */
export function forgeLinkFor(location: RemoteLocation, forges: ForgesConfig): ForgeLink | null {
  const target = forgeFor(location, forges);
  if (!target) return null;
  return { kind: target.kind, repo: target.kind === "gitlab" ? target.projectPath : `${target.owner}/${target.repo}` };
}

/**
 * Which forges Quire may open pull (merge) requests on, with which tokens, and which remote hosts
 * belong to them. One GitHub and one GitLab instance: a token is only ever sent to its own
 * instance (its API, and git pushes to the hosts listed for it).
 */
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

const token = z.string().min(1).optional();

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, "");

const github = z
  .object({
    token,
    /** GitHub's REST API; for GitHub Enterprise Server `https://<host>/api/v3`. */
    apiUrl: serviceUrl.default("https://api.github.com"),
    /** Remote hosts served by that API. Default: github.com for api.github.com, else the API's host. */
    hosts: z.array(hostName).optional(),
  })
  .transform((config) => ({
    ...config,
    hosts: config.hosts ?? [hostOf(config.apiUrl) === "api.github.com" ? "github.com" : hostOf(config.apiUrl)],
  }));

const gitlab = z
  .object({
    token,
    /** The GitLab instance (its web root; the API is under `/api/v4`). */
    host: serviceUrl.default("https://gitlab.com"),
    /** Remote hosts served by that instance. Default: the instance's own host. */
    hosts: z.array(hostName).optional(),
  })
  .transform((config) => ({ ...config, hosts: config.hosts ?? [hostOf(config.host)] }));

export const forgesConfig = z.object({ github: github.prefault({}), gitlab: gitlab.prefault({}) });

export type ForgesConfig = z.output<typeof forgesConfig>;
export type ForgesConfigInput = z.input<typeof forgesConfig>;

/**
 * The forge configuration with tokens taken from GITHUB_TOKEN / GITLAB_TOKEN where the
 * configuration gives none. Pure: the environment is an argument, so callers and tests choose it.
 */
export function forgesFromEnv(env: Record<string, string | undefined>, input: ForgesConfigInput = {}): ForgesConfig {
  const fromEnv = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  return forgesConfig.parse({
    github: { ...input.github, token: input.github?.token ?? fromEnv("GITHUB_TOKEN") },
    gitlab: { ...input.gitlab, token: input.gitlab?.token ?? fromEnv("GITLAB_TOKEN") },
  });
}

export type ForgeTarget =
  | { kind: "github"; host: string; owner: string; repo: string; apiUrl: string; token?: string }
  | { kind: "gitlab"; host: string; projectPath: string; apiHost: string; token?: string };

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
  return null;
}

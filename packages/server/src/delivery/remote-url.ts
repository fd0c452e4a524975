/**
 * Reading git remote URLs: which host and repository path they name (to find the forge and the
 * project), and how to show them without the credentials some people embed in them.
 */

export type RemoteScheme = "https" | "http" | "ssh" | "git";

export interface RemoteLocation {
  scheme: RemoteScheme;
  /** Lower-cased host name, without port or user. */
  host: string;
  /** The repository path on that host without `.git` or slashes around it: "owner/repo", "group/sub/project". */
  path: string;
}

const SCHEMES: Record<string, RemoteScheme> = {
  "https:": "https",
  "http:": "http",
  "ssh:": "ssh",
  "git+ssh:": "ssh",
  "ssh+git:": "ssh",
  "git:": "git",
};

/** "/owner/repo.git/" → "owner/repo"; null unless it has at least two clean segments. */
function repositoryPath(raw: string): string | null {
  const trimmed = raw
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
  const segments = trimmed.split("/");
  if (segments.length < 2) return null;
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) return null;
  return segments.join("/");
}

/**
 * `git@host:owner/repo.git` (scp-like syntax). Git reads `a/b:c` as a local path (a slash before
 * the first colon), and so does this.
 */
function parseScpLike(url: string): RemoteLocation | null {
  const match = /^(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+):(.+)$/.exec(url);
  if (!match) return null;
  const host = match[1]!.replace(/^\[|\]$/g, "").toLowerCase();
  const repoPath = repositoryPath(match[2]!);
  return repoPath ? { scheme: "ssh", host, path: repoPath } : null;
}

/** The host and repository a remote URL names; null for local paths, `file://` and anything unreadable. */
export function parseRemoteUrl(url: string): RemoteLocation | null {
  // `<transport>::<address>` hands the URL to a remote helper (`ext::` runs a command): no forge there.
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return null;
  if (!url.includes("://")) return parseScpLike(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const scheme = SCHEMES[parsed.protocol];
  if (!scheme || !parsed.hostname) return null;
  const repoPath = repositoryPath(decodeURIComponent(parsed.pathname));
  if (!repoPath) return null;
  return { scheme, host: parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase(), path: repoPath };
}

/**
 * The URL as it may be shown: without a password anywhere, and without the user part of http(s)
 * URLs, where it is often a token (`https://<token>@github.com/…`). The ssh user ("git") is kept.
 */
export function displayRemoteUrl(url: string): string {
  if (!url.includes("://")) return url;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.password = "";
    if (parsed.protocol === "https:" || parsed.protocol === "http:") parsed.username = "";
    return parsed.toString();
  } catch {
    // Unparsable: show nothing of what stood between "://" and "@".
    return url.replace(/:\/\/[^/]*@/, "://");
  }
}

/** Credentials embedded in the URL, to be redacted from whatever git prints about it. */
export function urlCredentials(url: string): Record<string, string> {
  if (!url.includes("://")) return {};
  try {
    const parsed = new URL(url);
    const found: Record<string, string> = {};
    if (parsed.password) {
      found.REMOTE_PASSWORD = decodeURIComponent(parsed.password);
      found.REMOTE_PASSWORD_ENCODED = parsed.password;
    }
    if (parsed.username && (parsed.protocol === "https:" || parsed.protocol === "http:")) {
      found.REMOTE_USER = decodeURIComponent(parsed.username);
      found.REMOTE_USER_ENCODED = parsed.username;
    }
    return found;
  } catch {
    return {};
  }
}

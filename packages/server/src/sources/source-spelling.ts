/**
 * What a client gives as a repository's source, before it is checked: a `file://` URL is taken as
 * the local path it names, and two spellings of one repository compare equal, so it is not
 * registered twice.
 */
import { fileURLToPath } from "node:url";
import { isGitUrl } from "./sources.js";

export class SourceSpellingError extends Error {}

/** The local path a `file://` URL names; other sources are returned as they are. */
export function withoutFileScheme(source: string): string {
  if (!/^file:/i.test(source)) return source;
  try {
    return fileURLToPath(source);
  } catch {
    throw new SourceSpellingError(
      `${source} is not a file URL of this machine: give the absolute path of a git repository on the server, or a git URL (https, ssh, git)`,
    );
  }
}

const DEFAULT_PORTS: Record<string, string> = { "https:": "443", "http:": "80", "ssh:": "22", "git:": "9418" };

/**
 * One key per repository: a local path as it is (the route stores the real path of its top
 * level), a URL by host, port and path only. Credentials, the transport, a trailing `/` or `.git`
 * and the case of the host do not make another repository.
 */
export function sourceIdentity(source: string): string {
  if (!isGitUrl(source)) return `path:${source}`;
  const scpLike = /^(?:[^@/]+@)?([^:/]+):(.*)$/.exec(source);
  let host: string;
  let repoPath: string;
  if (!/^[a-z]+:\/\//i.test(source) && scpLike) {
    host = scpLike[1]!.toLowerCase();
    repoPath = scpLike[2]!;
  } else {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      return `url:${source}`;
    }
    const port = url.port && url.port !== DEFAULT_PORTS[url.protocol] ? `:${url.port}` : "";
    host = `${url.hostname.toLowerCase()}${port}`;
    repoPath = url.pathname;
  }
  const trimmed = repoPath
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/i, "");
  return `url:${host}/${trimmed}`;
}

/**
 * The images a forge comment shows, and which of them are uploads to the forge itself: Markdown
 * `![alt](url)` and HTML `<img src=…>`, each read as the forge writes its uploads — GitHub
 * `/user-attachments/assets/<id>` (or `/<owner>/<repo>/assets/<n>/<id>`), GitLab `/uploads/<secret>/<file>`
 * relative to the project (fetched through its API, which takes a token), Gitea `/attachments/<uuid>`.
 * Only a link on the forge's own host as configured (its web root, its API's origin, the hosts
 * listed for it) becomes a request, with the forge's token; any other link is skipped with the reason.
 */
import type { ForgesConfig, ForgeTarget } from "../delivery/forges-config.js";

export interface UploadRequest {
  url: string;
  /** The forge's token header: sent to the forge's own origin only (fetch-upload.ts). */
  headers: Record<string, string>;
}

export type UploadLink = { link: string; request: UploadRequest } | { link: string; skipped: string };

const MARKDOWN_IMAGE = /!\[[^\]]*\]\(\s*(?:<([^>\n]*)>|([^\s)]+))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const HTML_IMAGE = /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** The image links of a comment, in order, each once; code blocks and inline code show none. */
export function imageLinks(markdown: string): string[] {
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
  const found: { at: number; link: string }[] = [];
  for (const match of text.matchAll(MARKDOWN_IMAGE)) found.push({ at: match.index, link: match[1] ?? match[2]! });
  for (const match of text.matchAll(HTML_IMAGE)) {
    found.push({ at: match.index, link: (match[1] ?? match[2] ?? match[3] ?? "").replace(/&amp;/g, "&") });
  }
  const links = found.sort((a, b) => a.at - b.at).map((entry) => entry.link.trim());
  return [...new Set(links.filter(Boolean))];
}

/** A URL's path without its trailing slash ("" for the root). */
const basePath = (url: string): string => new URL(url).pathname.replace(/\/+$/, "");

/** The origins counted as the forge's own: its web root and API, and the hosts configured for it (https). */
function ownOrigins(roots: string[], hosts: readonly string[]): Set<string> {
  return new Set([...roots.map((root) => new URL(root).origin), ...hosts.map((host) => `https://${host}`)]);
}

/** GitHub's web root: github.com for the public API, the instance itself for Enterprise (`…/api/v3`). */
export function githubWebRoot(apiUrl: string): string {
  const url = new URL(apiUrl);
  return url.hostname === "api.github.com" ? "https://github.com" : url.origin;
}

interface ForgeUploads {
  /** The link as a URL: one without a host is the forge's. */
  resolve(link: string): URL;
  origins: Set<string>;
  /** The request for an upload's path on the forge, or null when the path is no upload. */
  request(url: URL): UploadRequest | null;
  name: string;
}

function uploadsOf(target: ForgeTarget, forges: ForgesConfig): ForgeUploads | null {
  const token = target.token ?? "";
  if (target.kind === "github") {
    const root = githubWebRoot(target.apiUrl);
    const repoAssets = new RegExp(`^/${escape(target.owner)}/${escape(target.repo)}/assets/\\d+/[\\w-]+$`, "i");
    return {
      resolve: (link) => new URL(link, root),
      origins: ownOrigins([root, target.apiUrl], forges.github.hosts),
      name: "GitHub",
      request: (url) =>
        /^\/user-attachments\/assets\/[\w-]+$/.test(url.pathname) || repoAssets.test(url.pathname)
          ? { url: url.href, headers: { authorization: `token ${token}` } }
          : null,
    };
  }
  if (target.kind === "gitlab") {
    const host = forges.gitlab.host;
    const root = basePath(host);
    const project = new RegExp(
      `^${escape(root)}/(?:${escape(target.projectPath)}|-/project/\\d+)/uploads/([0-9a-f]{32})/([^/]+)$`,
    );
    return {
      // GitLab writes an upload relative to the project: `/uploads/<secret>/<file>`.
      resolve: (link) =>
        link.startsWith("/uploads/") ? new URL(`${host}/${target.projectPath}${link}`) : new URL(link, host),
      origins: ownOrigins([host], forges.gitlab.hosts),
      name: "GitLab",
      request: (url) => {
        const match = project.exec(url.pathname);
        if (!match) return null;
        // The web address takes a session only; the API takes the token (GitLab 17.4 and later).
        const api = `${host}/api/v4/projects/${encodeURIComponent(target.projectPath)}/uploads/${match[1]}/${match[2]}`;
        return { url: api, headers: { "private-token": token } };
      },
    };
  }
  const giteaUrl = forges.gitea.url;
  if (!giteaUrl) return null;
  // `/attachments/<uuid>`, under the instance's sub-path or a repository's; always fetched from the instance.
  const attachment = /\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
  return {
    resolve: (link) => new URL(link, giteaUrl),
    origins: ownOrigins([giteaUrl], forges.gitea.hosts),
    name: "Gitea",
    request: (url) => {
      const match = attachment.exec(url.pathname);
      return match
        ? { url: `${giteaUrl}/attachments/${match[1]}`, headers: { authorization: `token ${token}` } }
        : null;
    },
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Each link as a request for the forge's upload, or why it is not fetched. */
export function uploadLinks(target: ForgeTarget, forges: ForgesConfig, links: readonly string[]): UploadLink[] {
  const uploads = uploadsOf(target, forges);
  return links.map((link): UploadLink => {
    if (!uploads) return { link, skipped: `${target.kind} is not configured` };
    let url: URL;
    try {
      url = uploads.resolve(link);
    } catch {
      return { link, skipped: "not a link" };
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return { link, skipped: "not an http(s) link" };
    if (!uploads.origins.has(url.origin)) {
      return { link, skipped: `not on ${uploads.name}'s own host: only its uploads are fetched` };
    }
    const request = uploads.request(url);
    return request ? { link, request } : { link, skipped: `not an upload to ${uploads.name}` };
  });
}

/**
 * Downloads that need the request's headers. A plain link cannot send `x-quire-workspace`, so
 * with a workspace chosen in the switcher the file is fetched with it and saved from a blob; in
 * the server's default workspace (and single-user mode) the browser follows the link itself.
 */
import type { MouseEvent } from "react";
import { announceUnauthenticated, credentialHeaders } from "./credentials";

export function onDownloadClick(event: MouseEvent<HTMLAnchorElement>, onError: (message: string) => void): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const headers = credentialHeaders("GET");
  if (Object.keys(headers).length === 0) return;
  event.preventDefault();
  const link = event.currentTarget;
  void save(link.href, headers, link.getAttribute("download") || "download").catch((failure: unknown) =>
    onError(failure instanceof Error ? failure.message : String(failure)),
  );
}

async function save(href: string, headers: Record<string, string>, fallbackName: string): Promise<void> {
  const response = await fetch(href, { headers });
  if (response.status === 401) announceUnauthenticated();
  if (!response.ok) throw new Error(`download failed: HTTP ${response.status}`);
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The click has started the download; the blob is no longer needed once it has been read.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

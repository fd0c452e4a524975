/**
 * A handful of routes (`/`, `/tasks/:id`, `/environments[/:repositoryId]`, `/usage`,
 * `/settings/(tokens|members|audit|password)` and `/invitations/accept`) are enough, so a tiny
 * History API router instead of a dependency. The server answers every non-API path with index.html, so deep links work.
 */
import { useSyncExternalStore, type MouseEvent } from "react";

const CHANGE = "quire:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string): void {
  if (window.location.pathname === path) return;
  window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(CHANGE));
}

export function taskIdOf(path: string): string | null {
  const match = /^\/tasks\/([^/]+)\/?$/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export function taskHref(id: string): string {
  return `/tasks/${encodeURIComponent(id)}`;
}

export const ENVIRONMENTS_PATH = "/environments";

/** On the environments page: the repository in the path (null when none is named yet). */
export function environmentsRouteOf(path: string): { repositoryId: string | null } | null {
  const match = /^\/environments(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return null;
  return { repositoryId: match[1] ? decodeURIComponent(match[1]) : null };
}

export function environmentsHref(repositoryId?: string): string {
  return repositoryId ? `${ENVIRONMENTS_PATH}/${encodeURIComponent(repositoryId)}` : ENVIRONMENTS_PATH;
}

/** Where an invitation's link leads; its token is in the fragment (`#token=…`), which no server sees. */
export const ACCEPT_INVITATION_PATH = "/invitations/accept";

export function isAcceptInvitationPath(path: string): boolean {
  return path.replace(/\/$/, "") === ACCEPT_INVITATION_PATH;
}

export const USAGE_PATH = "/usage";

export function isUsagePath(path: string): boolean {
  return /^\/usage\/?$/.test(path);
}

export const SETTINGS_TABS = ["tokens", "members", "webhooks", "audit", "password"] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

/** On a settings page: which tab (`/settings` alone is the tokens tab). */
export function settingsTabOf(path: string): SettingsTab | null {
  const match = /^\/settings(?:\/([a-z]+))?\/?$/.exec(path);
  if (!match) return null;
  const tab = match[1] ?? "tokens";
  return (SETTINGS_TABS as readonly string[]).includes(tab) ? (tab as SettingsTab) : null;
}

export function settingsHref(tab: SettingsTab = "tokens"): string {
  return `/settings/${tab}`;
}

/** A plain click on an in-app link navigates without reloading; a modified click (new tab) is left alone. */
export function onLinkClick(event: MouseEvent<HTMLAnchorElement>, path: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}

/**
 * What every request carries besides the session cookie (which the browser sends by itself and
 * scripts cannot read): the CSRF token that unsafe requests must echo in `x-csrf-token`, and the
 * workspace picked in the switcher (`x-quire-workspace`). Single-user mode needs neither.
 */

const WORKSPACE_KEY = "quire.workspace";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Fired when the server answers 401: the session ended (or never was), so sign-in is shown. */
export const UNAUTHENTICATED = "quire:unauthenticated";

let csrfToken: string | null = null;
let workspaceId: string | null = readStoredWorkspace();

function readStoredWorkspace(): string | null {
  try {
    return window.localStorage.getItem(WORKSPACE_KEY);
  } catch {
    return null;
  }
}

/** From `POST /api/auth/login` or `GET /api/auth/me`; null after signing out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function currentWorkspaceId(): string | null {
  return workspaceId;
}

/** The workspace requests act in; remembered across reloads. Null: the server's choice (the user's first). */
export function setWorkspaceId(id: string | null): void {
  workspaceId = id;
  try {
    if (id === null) window.localStorage.removeItem(WORKSPACE_KEY);
    else window.localStorage.setItem(WORKSPACE_KEY, id);
  } catch {
    // Storage may be off (private mode): the choice then lasts until the page reloads.
  }
}

export function credentialHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (workspaceId) headers["x-quire-workspace"] = workspaceId;
  if (csrfToken && !SAFE_METHODS.has(method.toUpperCase())) headers["x-csrf-token"] = csrfToken;
  return headers;
}

export function announceUnauthenticated(): void {
  window.dispatchEvent(new Event(UNAUTHENTICATED));
}

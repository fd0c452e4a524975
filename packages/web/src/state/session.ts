/**
 * Who is using the app, for the views that depend on it: the account bar (multi-user mode), the
 * settings pages (what the role allows) and the usage page. Provided by AuthGate.
 */
import { createContext, useContext } from "react";
import type { Me, Role, Scope } from "@quire/protocol";

export interface SessionControl {
  /** Null when the server has no accounts API (an older server): the account features hide. */
  me: Me | null;
  multiUser: boolean;
  switchWorkspace(id: string): void;
  signOut(): void;
}

export const SessionContext = createContext<SessionControl>({
  me: null,
  multiUser: false,
  switchWorkspace: () => undefined,
  signOut: () => undefined,
});

export function useSession(): SessionControl {
  return useContext(SessionContext);
}

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function roleAtLeast(me: Me | null, role: Role): boolean {
  const current = me?.workspace?.role;
  return current !== undefined && RANK[current] >= RANK[role];
}

export function hasScope(me: Me | null, scope: Scope): boolean {
  return me?.scopes.includes(scope) ?? false;
}

/** Members, others' tokens and the audit log: admins and owners, with the admin scope. */
export function isAdmin(me: Me | null): boolean {
  return roleAtLeast(me, "admin") && hasScope(me, "admin");
}

/**
 * Decides what the app shows first. `GET /api/auth/me` answers in single-user mode too (the
 * local owner), so that mode goes straight to the app, as before; in multi-user mode a 401 shows
 * the sign-in page, and so does any later 401 (the session ended). The app is keyed by the
 * workspace, so switching workspaces starts it afresh.
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import type { AuthMethods, Me } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { ApiError } from "../../api/client";
import { UNAUTHENTICATED, currentWorkspaceId, setCsrfToken, setWorkspaceId } from "../../api/credentials";
import { isAcceptInvitationPath, navigate, usePath } from "../../lib/router";
import { SessionContext, type SessionControl } from "../../state/session";
import { AcceptInvitationPage } from "./AcceptInvitationPage";
import { SignInPage } from "./SignInPage";

type Phase =
  | { kind: "loading" }
  | { kind: "app"; me: Me | null }
  | { kind: "sign-in"; methods: AuthMethods; notice: string | null };

const FALLBACK_METHODS: AuthMethods = { mode: "multi", password: true, oidc: false };

/** Who is asking; a remembered workspace the user is no longer in (404) is forgotten. */
async function loadMe(): Promise<Me> {
  try {
    return await accountsApi.me();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && currentWorkspaceId() !== null) {
      setWorkspaceId(null);
      return accountsApi.me();
    }
    throw error;
  }
}

async function signInPhase(notice: string | null): Promise<Phase> {
  const methods = await accountsApi.methods().catch(() => FALLBACK_METHODS);
  return { kind: "sign-in", methods, notice };
}

export function AuthGate({ children }: { children: (workspaceKey: string) => ReactNode }) {
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const path = usePath();

  const boot = useCallback(async (): Promise<void> => {
    try {
      const me = await loadMe();
      setCsrfToken(me.csrfToken);
      // Single-user mode has one workspace; a choice remembered from another server must not apply.
      if (me.mode === "local" && currentWorkspaceId() !== null) setWorkspaceId(null);
      setPhase({ kind: "app", me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setCsrfToken(null);
        setPhase(await signInPhase(null));
        return;
      }
      // No accounts API (or it failed): the app still works as a single-user one.
      setPhase({ kind: "app", me: null });
    }
  }, []);

  useEffect(() => {
    void boot();
  }, [boot]);

  const multiUser = phase.kind === "app" && phase.me?.mode === "multi";
  // Single-user mode never answers 401; anywhere else (also when /api/auth/me failed for another
  // reason) a 401 means signing in.
  const listening = phase.kind === "app" && phase.me?.mode !== "local";
  useEffect(() => {
    if (!listening) return;
    const onUnauthenticated = (): void => {
      setCsrfToken(null);
      void signInPhase("Your session has ended. Sign in again.").then(setPhase);
    };
    window.addEventListener(UNAUTHENTICATED, onUnauthenticated);
    return () => window.removeEventListener(UNAUTHENTICATED, onUnauthenticated);
  }, [listening]);

  const me = phase.kind === "app" ? phase.me : null;
  const control = useMemo<SessionControl>(
    () => ({
      me,
      multiUser,
      switchWorkspace: (id) => {
        setWorkspaceId(id);
        navigate("/");
        void boot();
      },
      signOut: () => {
        void accountsApi
          .logout()
          .catch(() => undefined)
          .then(async () => {
            setCsrfToken(null);
            setWorkspaceId(null);
            setPhase(await signInPhase("You are signed out."));
          });
      },
    }),
    [me, multiUser, boot],
  );

  // Before the session matters: the invitee may have no account yet, or be signed in already.
  if (isAcceptInvitationPath(path)) {
    return (
      <AcceptInvitationPage
        onAccepted={() => {
          navigate("/");
          void boot();
        }}
      />
    );
  }
  if (phase.kind === "loading") return <div className="boot" aria-busy="true" />;
  if (phase.kind === "sign-in") {
    return <SignInPage methods={phase.methods} notice={phase.notice} onSignedIn={() => void boot()} />;
  }
  return (
    <SessionContext.Provider value={control}>{children(phase.me?.workspace?.id ?? "default")}</SessionContext.Provider>
  );
}

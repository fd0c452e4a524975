/**
 * The page an invitation's link opens (`/invitations/accept#token=…`). It shows what the link
 * invites to, then: with no account for the email yet, the invitee chooses their own password
 * (nobody else ever does) and is signed in; with an account, they accept while signed in as it.
 * The token comes from the fragment, which is cleared from the address bar at once.
 */
import { useEffect, useState, type FormEvent } from "react";
import type { InvitationPreview } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { setCsrfToken, setWorkspaceId } from "../../api/credentials";
import { ACCEPT_INVITATION_PATH } from "../../lib/router";
import { ThemeToggle } from "../ThemeToggle";

function tokenFromFragment(): string | null {
  return new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token");
}

const message = (failure: unknown): string => (failure instanceof Error ? failure.message : String(failure));

export function AcceptInvitationPage({ onAccepted }: { onAccepted(): void }) {
  const [token] = useState(tokenFromFragment);
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [error, setError] = useState<string | null>(token ? null : "This link has no invitation in it.");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // The token is a credential: keep it out of the address bar and the history.
    if (window.location.hash) window.history.replaceState(null, "", ACCEPT_INVITATION_PATH);
    if (!token) return;
    accountsApi.previewInvitation(token).then(setPreview, (failure: unknown) => setError(message(failure)));
  }, [token]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!token || !preview || busy) return;
    if (!preview.accountExists && password !== repeated) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    const account = preview.accountExists ? {} : { password, ...(name.trim() ? { name: name.trim() } : {}) };
    accountsApi
      .acceptInvitation(token, account)
      .then((accepted) => {
        if (accepted.csrfToken) setCsrfToken(accepted.csrfToken);
        setWorkspaceId(accepted.workspace.id);
        onAccepted();
      })
      .catch((failure: unknown) => {
        setError(message(failure));
        setBusy(false);
      });
  };

  return (
    <main className="sign-in-page" id="main">
      <div className="sign-in-card">
        <header className="sign-in-head">
          <span className="brand">Quire</span>
          <ThemeToggle />
        </header>
        <h1>Accept invitation</h1>
        {preview && (
          <p data-testid="invitation-summary">
            You are invited to <strong>{preview.workspace.name}</strong> as {preview.invitation.role}, as{" "}
            <strong>{preview.invitation.email}</strong>.
          </p>
        )}
        {preview && !preview.accountExists && (
          <form className="sign-in-form" onSubmit={submit} aria-label="Create your account">
            <input type="email" hidden readOnly autoComplete="username" value={preview.invitation.email} />
            <label>
              <span>Your name</span>
              <input autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} />
            </label>
            <label>
              <span>Choose a password</span>
              <input
                type="password"
                autoComplete="new-password"
                required
                minLength={10}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </label>
            <label>
              <span>Repeat the password</span>
              <input
                type="password"
                autoComplete="new-password"
                required
                value={repeated}
                onChange={(event) => setRepeated(event.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Joining…" : "Create account and join"}
            </button>
          </form>
        )}
        {preview?.accountExists && (
          <form className="sign-in-form" onSubmit={submit} aria-label="Join with your account">
            <p className="muted">
              An account for this email exists. Sign in as it in this browser (then open the link again), and accept.
            </p>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Joining…" : "Accept invitation"}
            </button>
            <a className="button" href="/">
              Sign in
            </a>
          </form>
        )}
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}

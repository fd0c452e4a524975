/**
 * Changing one's own password (multi-user mode, signed in from this browser). The server checks
 * the current password and its length rule, and signs out the user's other sessions; its refusal
 * is shown as it said it. Only the confirmation is checked here: it never reaches the server.
 */
import { useRef, useState, type FormEvent } from "react";
import { accountsApi } from "../../api/accounts";
import { useSession } from "../../state/session";

export function PasswordPanel() {
  const { me } = useSession();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const confirmationInput = useRef<HTMLInputElement>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (busy) return;
    setNotice(null);
    if (next !== confirmation) {
      setMismatch(true);
      setError("The new password and its confirmation do not match.");
      confirmationInput.current?.focus();
      return;
    }
    setMismatch(false);
    setError(null);
    setBusy(true);
    accountsApi
      .changePassword(current, next)
      .then(() => {
        setCurrent("");
        setNext("");
        setConfirmation("");
        setNotice("Password changed. Your other sessions are signed out.");
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <section className="settings-section" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <p className="muted">
        Changing it signs you out everywhere else; this browser stays signed in. API tokens keep working: revoke them
        under API tokens.
      </p>
      <form className="settings-form" onSubmit={submit} aria-label="Change password">
        {/* For password managers, which file the new password under this account. */}
        <input type="email" autoComplete="username" value={me?.user.email ?? ""} readOnly hidden />
        <label>
          <span>Current password</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
          />
        </label>
        <label>
          <span>New password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={next}
            onChange={(event) => setNext(event.target.value)}
          />
        </label>
        <label>
          <span>Confirm new password</span>
          <input
            ref={confirmationInput}
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={mismatch || undefined}
            value={confirmation}
            onChange={(event) => {
              setConfirmation(event.target.value);
              setMismatch(false);
            }}
          />
        </label>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Changing…" : "Change password"}
          </button>
        </div>
      </form>
      <p className="notice" role="status">
        {notice}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

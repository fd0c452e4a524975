/**
 * Sign-in on a multi-user server: email and password, and single sign-on when the server has a
 * provider (a plain link: the server redirects to the provider and, after it, back here).
 */
import { useState, type FormEvent } from "react";
import type { AuthMethods } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { setCsrfToken } from "../../api/credentials";
import { ThemeToggle } from "../ThemeToggle";

interface Props {
  methods: AuthMethods;
  /** Why sign-in shows now ("You are signed out."), if it is not the first visit. */
  notice: string | null;
  onSignedIn(): void;
}

export function SignInPage({ methods, notice, onSignedIn }: Props) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    accountsApi
      .login(email.trim(), password)
      .then(({ csrfToken }) => {
        setCsrfToken(csrfToken);
        onSignedIn();
      })
      .catch((failure: unknown) => {
        setError(failure instanceof Error ? failure.message : String(failure));
        setBusy(false);
      });
  };

  const returnTo = `${window.location.pathname}${window.location.search}`;
  const ssoHref = `/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`;

  return (
    <main className="sign-in-page" id="main">
      <div className="sign-in-card">
        <header className="sign-in-head">
          <span className="brand">Quire</span>
          <ThemeToggle />
        </header>
        <h1>Sign in</h1>
        {notice && (
          <p className="muted" role="status">
            {notice}
          </p>
        )}
        {methods.password && (
          <form className="sign-in-form" onSubmit={submit} aria-label="Sign in with email and password">
            <label>
              <span>Email</span>
              <input
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
            </label>
            <label>
              <span>Password</span>
              <input
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Signing in…" : "Sign in"}
            </button>
            {error && (
              <p className="error-text" role="alert">
                {error}
              </p>
            )}
          </form>
        )}
        {methods.password && methods.oidc && <p className="sign-in-or muted">or</p>}
        {methods.oidc && (
          <a className="button sso-button" href={ssoHref}>
            Sign in with SSO
          </a>
        )}
        {!methods.password && !methods.oidc && (
          <p className="error-text">This server offers no way to sign in from the browser; ask its operator.</p>
        )}
      </div>
    </main>
  );
}

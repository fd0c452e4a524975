/**
 * API tokens: create one with scopes (its value is shown once, with a copy button: the server
 * keeps only a hash), list them, revoke. A token can only have scopes its creator has, so only
 * those are offered.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { ConfirmButton } from "../ConfirmButton";
import { SCOPES } from "@quire/protocol/constants";
import type { ApiToken, Scope } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { formatAge } from "../../lib/format";
import { useSession } from "../../state/session";
import { NewTokenValue } from "./NewTokenValue";
import { FormActions } from "./FormActions";
import { ChoiceCheckboxes } from "./ChoiceCheckboxes";

const EXPIRIES = [
  { days: 0, label: "Never expires" },
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
];

export function TokensPanel() {
  const { me } = useSession();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: ApiToken; value: string } | null>(null);

  const load = useCallback(() => {
    accountsApi
      .tokens()
      .then((list) => {
        setTokens(list);
        setError(null);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);
  useEffect(load, [load]);

  const revoke = (token: ApiToken): void => {
    accountsApi
      .revokeToken(token.id)
      .then(load)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  };

  const grantable = me ? SCOPES.filter((scope) => me.scopes.includes(scope)) : [...SCOPES];
  const now = Date.now();

  return (
    <section className="settings-section" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p className="muted">
        For scripts and CI: send <code>Authorization: Bearer quire_…</code>. A token can do what its scopes allow, and
        never more than your role.
      </p>
      {created && <NewTokenValue name={created.token.name} value={created.value} onDone={() => setCreated(null)} />}
      <CreateTokenForm
        grantable={grantable}
        onCreated={(result) => {
          setCreated(result);
          load();
        }}
      />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {tokens && tokens.length === 0 && <p className="empty">No token yet.</p>}
      {tokens && tokens.length > 0 && (
        <div className="table-scroll">
          <table className="data-table tokens-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => {
                const status = tokenStatus(token, now);
                return (
                  <tr key={token.id} data-token-id={token.id} data-status={status}>
                    <th scope="row">{token.name}</th>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td>{token.scopes.join(", ")}</td>
                    <td title={token.createdAt}>{formatAge(token.createdAt, now)}</td>
                    <td title={token.lastUsedAt ?? undefined}>
                      {token.lastUsedAt ? formatAge(token.lastUsedAt, now) : "never"}
                    </td>
                    <td>{token.expiresAt ? new Date(token.expiresAt).toLocaleDateString() : "never"}</td>
                    <td>
                      <span className={`badge tone-${status === "active" ? "good" : "muted"}`}>{status}</span>
                    </td>
                    <td>{status === "active" && <RevokeButton name={token.name} onConfirm={() => revoke(token)} />}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function tokenStatus(token: ApiToken, now: number): "active" | "revoked" | "expired" {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return "expired";
  return "active";
}

function RevokeButton({ name, onConfirm }: { name: string; onConfirm(): void }) {
  return (
    <ConfirmButton
      action="Revoke"
      label={name}
      question="Revoke it? Scripts using it stop working."
      confirmLabel={`Confirm revoking ${name}`}
      onConfirm={onConfirm}
    />
  );
}

interface CreateProps {
  grantable: Scope[];
  onCreated(result: { token: ApiToken; value: string }): void;
}

function CreateTokenForm({ grantable, onCreated }: CreateProps) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(grantable.includes("tasks:read") ? ["tasks:read"] : []);
  const [expiry, setExpiry] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    accountsApi
      .createToken({ name: name.trim(), scopes, ...(expiry > 0 ? { expiresInDays: expiry } : {}) })
      .then((result) => {
        setName("");
        onCreated(result);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };
  const toggle = (scope: Scope, on: boolean): void =>
    setScopes((current) => (on ? [...current, scope] : current.filter((candidate) => candidate !== scope)));

  return (
    <form className="settings-form" onSubmit={submit} aria-label="New API token">
      <label>
        <span>Name</span>
        <input
          value={name}
          placeholder="What it is for, e.g. the nightly CI job"
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      <ChoiceCheckboxes
        legend="Scopes"
        choices={grantable}
        chosen={scopes}
        onToggle={toggle}
        label={(scope) => <code>{scope}</code>}
      />
      <label>
        <span>Expires</span>
        <select value={expiry} onChange={(event) => setExpiry(Number(event.target.value))}>
          {EXPIRIES.map((choice) => (
            <option key={choice.days} value={choice.days}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <FormActions
        label="Create token"
        busyLabel="Creating…"
        busy={busy}
        incomplete={name.trim() === "" || scopes.length === 0}
        error={error}
      />
    </form>
  );
}

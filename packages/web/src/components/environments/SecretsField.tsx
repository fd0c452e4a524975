/**
 * Secrets, write-only: the server gives their names and versions, never their values. A value
 * typed here is sent when the environment is saved and the input is cleared then; no value
 * is ever shown or filled in again.
 */
import { useId } from "react";
import { formatAge } from "../../lib/format";
import { FieldError, invalidProps } from "./FieldError";
import { rowEdits, type SecretRow } from "./environment-form";
import type { FieldErrors } from "./field-errors";

interface Props {
  rows: readonly SecretRow[];
  errors: FieldErrors;
  onChange(rows: SecretRow[]): void;
}

export function SecretsField({ rows, errors, onChange }: Props) {
  const id = useId();
  const now = Date.now();
  const { set, remove, add } = rowEdits(rows, onChange);
  const listErrors = errors.underExcept(
    "secrets",
    rows.map((_, index) => `secrets.${index}`),
  );
  return (
    <fieldset className="field secrets-field">
      <legend>Secrets</legend>
      <p className="hint">
        Given to the setup script only, never to the agent. Values are write-only: once saved, they are never shown
        again.
      </p>
      {rows.map((row, index) => {
        const rowErrors = [...errors.under(`secrets.${index}`), ...errors.under(`secret:${row.name}`)];
        const name = row.name.trim() || `new secret ${index + 1}`;
        return (
          <div className="list-row secret-row" key={row.id} data-secret={row.name}>
            {row.stored ? (
              <code className="secret-name">{row.name}</code>
            ) : (
              <input
                className="mono"
                aria-label={`Name of secret ${index + 1}`}
                placeholder="NAME"
                value={row.name}
                {...invalidProps(`${id}-${row.id}`, rowErrors)}
                onChange={(event) => set(row.id, { name: event.target.value })}
              />
            )}
            <input
              type="password"
              className="mono"
              autoComplete="new-password"
              aria-label={`New value for ${name}`}
              placeholder={row.stored ? "Replace the value" : "Value"}
              value={row.value}
              onChange={(event) => set(row.id, { value: event.target.value })}
            />
            <span className="secret-state muted" data-testid="secret-state">
              {row.stored
                ? `stored · version ${row.stored.version} · ${formatAge(row.stored.updatedAt, now)}`
                : row.value === ""
                  ? "no value stored"
                  : "saved with the environment"}
            </span>
            <button
              type="button"
              className="quiet icon-button"
              aria-label={`Remove secret ${name}`}
              onClick={() => remove(row.id)}
            >
              ×
            </button>
            <FieldError id={`${id}-${row.id}`} messages={rowErrors} />
          </div>
        );
      })}
      <button type="button" className="quiet add-row" onClick={() => add({ name: "", value: "", stored: null })}>
        + Add secret
      </button>
      <FieldError id={`${id}-list`} messages={listErrors} />
    </fieldset>
  );
}

/** Environment variables as name = value rows (values are not secret: use a secret for those). */
import { useId } from "react";
import { FieldError, invalidProps } from "./FieldError";
import { rowEdits, type VariableRow } from "./environment-form";
import type { FieldErrors } from "./field-errors";

interface Props {
  rows: readonly VariableRow[];
  errors: FieldErrors;
  onChange(rows: VariableRow[]): void;
}

export function VariablesField({ rows, errors, onChange }: Props) {
  const id = useId();
  const { set, remove, add } = rowEdits(rows, onChange);
  const claimed = rows.map((row) => `variables.${row.name.trim()}`);
  // A problem with no row of that name (a duplicate, a blank name) shows under the list.
  const listErrors = errors.underExcept("variables", claimed);
  return (
    <fieldset className="field variables-field">
      <legend>Variables</legend>
      <p className="hint">
        Set for setup and for the agent's commands. Values are visible here: put tokens in secrets.
      </p>
      {rows.map((row, index) => {
        const rowErrors = errors.under(`variables.${row.name.trim()}`);
        return (
          <div className="list-row variable-row" key={row.id}>
            <input
              className="mono"
              aria-label={`Name of variable ${index + 1}`}
              placeholder="NAME"
              value={row.name}
              {...invalidProps(`${id}-${row.id}`, rowErrors)}
              onChange={(event) => set(row.id, { name: event.target.value })}
            />
            <span aria-hidden="true">=</span>
            <input
              className="mono"
              aria-label={`Value of variable ${index + 1}`}
              placeholder="value"
              value={row.value}
              onChange={(event) => set(row.id, { value: event.target.value })}
            />
            <button
              type="button"
              className="quiet icon-button"
              aria-label={`Remove variable ${index + 1}`}
              onClick={() => remove(row.id)}
            >
              ×
            </button>
            <FieldError id={`${id}-${row.id}`} messages={rowErrors} />
          </div>
        );
      })}
      <button type="button" className="quiet add-row" onClick={() => add({ name: "", value: "" })}>
        + Add variable
      </button>
      <FieldError id={`${id}-list`} messages={listErrors} />
    </fieldset>
  );
}

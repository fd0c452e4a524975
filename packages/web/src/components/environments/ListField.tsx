/** A list of one-line values (checks, allowlisted domains): one input per row, rows added and removed. */
import { useId } from "react";
import { FieldError, invalidProps } from "./FieldError";
import type { FieldErrors } from "./field-errors";

interface Props {
  legend: string;
  hint?: string;
  /** The definition's path of the list, for the server's errors ("checks", "network.domains"). */
  path: string;
  /** What one row is, for its label and the add button ("check command"). */
  itemName: string;
  placeholder: string;
  values: readonly string[];
  errors: FieldErrors;
  onChange(values: string[]): void;
}

export function ListField({ legend, hint, path, itemName, placeholder, values, errors, onChange }: Props) {
  const id = useId();
  const set = (index: number, value: string): void => onChange(values.map((old, i) => (i === index ? value : old)));
  const listErrors = errors.underExcept(
    path,
    values.map((_, index) => `${path}.${index}`),
  );
  return (
    <fieldset className="field list-field">
      <legend>{legend}</legend>
      {hint && <p className="hint">{hint}</p>}
      {values.map((value, index) => {
        const rowErrors = errors.under(`${path}.${index}`);
        return (
          <div className="list-row" key={index}>
            <input
              className="mono"
              aria-label={`${capitalise(itemName)} ${index + 1}`}
              placeholder={placeholder}
              value={value}
              {...invalidProps(`${id}-${index}`, rowErrors)}
              onChange={(event) => set(index, event.target.value)}
            />
            <button
              type="button"
              className="quiet icon-button"
              aria-label={`Remove ${itemName} ${index + 1}`}
              onClick={() => onChange(values.filter((_, i) => i !== index))}
            >
              ×
            </button>
            <FieldError id={`${id}-${index}`} messages={rowErrors} />
          </div>
        );
      })}
      <button type="button" className="quiet add-row" onClick={() => onChange([...values, ""])}>
        + Add {itemName}
      </button>
      <FieldError id={`${id}-list`} messages={listErrors} />
    </fieldset>
  );
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

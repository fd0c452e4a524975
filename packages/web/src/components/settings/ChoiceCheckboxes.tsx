/** A fieldset of checkboxes, one per choice (a token's scopes, a webhook's events). */
import type { ReactNode } from "react";

interface Props<Choice extends string> {
  legend: string;
  choices: readonly Choice[];
  chosen: readonly Choice[];
  onToggle(choice: Choice, on: boolean): void;
  /** What each checkbox says. */
  label(choice: Choice): ReactNode;
}

export function ChoiceCheckboxes<Choice extends string>({ legend, choices, chosen, onToggle, label }: Props<Choice>) {
  return (
    <fieldset className="scope-choices">
      <legend>{legend}</legend>
      {choices.map((choice) => (
        <label key={choice} className="checkbox">
          <input
            type="checkbox"
            checked={chosen.includes(choice)}
            onChange={(event) => onToggle(choice, event.target.checked)}
          />
          {label(choice)}
        </label>
      ))}
    </fieldset>
  );
}

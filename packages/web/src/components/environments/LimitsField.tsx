/** Resource limits; a blank one keeps the repository's or the server's value. */
import { useId } from "react";
import type { LimitKey } from "@quire/protocol";
import { FieldError, invalidProps } from "./FieldError";
import type { FieldErrors } from "./field-errors";

const LIMITS: { key: LimitKey; label: string; unit: string }[] = [
  { key: "command_timeout_ms", label: "Command timeout (default)", unit: "ms" },
  { key: "max_command_timeout_ms", label: "Longest timeout a command may ask for", unit: "ms" },
  { key: "task_timeout_ms", label: "Task timeout", unit: "ms" },
  { key: "memory_mb", label: "Memory per process", unit: "MB" },
  { key: "max_processes", label: "Processes", unit: "count" },
  { key: "cpu_seconds", label: "CPU time per process", unit: "s" },
  { key: "disk_mb", label: "Workspace growth", unit: "MB" },
  { key: "file_size_mb", label: "Largest file", unit: "MB" },
  { key: "output_bytes", label: "Output kept per command", unit: "bytes" },
];

interface Props {
  limits: Record<LimitKey, string>;
  cacheTtlHours: string;
  errors: FieldErrors;
  onChange(limits: Record<LimitKey, string>): void;
  onCacheTtlChange(value: string): void;
}

export function LimitsField({ limits, cacheTtlHours, errors, onChange, onCacheTtlChange }: Props) {
  const id = useId();
  return (
    <fieldset className="field limits-field">
      <legend>Limits</legend>
      <p className="hint">Blank: the repository's file or the server's default applies.</p>
      <div className="limits-grid">
        {LIMITS.map(({ key, label, unit }) => (
          <NumberField
            key={key}
            id={`${id}-${key}`}
            label={label}
            unit={unit}
            value={limits[key]}
            errors={errors.under(`limits.${key}`)}
            onChange={(value) => onChange({ ...limits, [key]: value })}
          />
        ))}
        <NumberField
          id={`${id}-cache`}
          label="Keep the set-up snapshot for"
          unit="hours"
          value={cacheTtlHours}
          errors={errors.under("cache_ttl_hours")}
          onChange={onCacheTtlChange}
        />
      </div>
      <FieldError
        id={`${id}-limits`}
        messages={errors.underExcept(
          "limits",
          LIMITS.map(({ key }) => `limits.${key}`),
        )}
      />
    </fieldset>
  );
}

interface NumberFieldProps {
  id: string;
  label: string;
  unit: string;
  value: string;
  errors: readonly string[];
  onChange(value: string): void;
}

/** Text, not type=number: what was typed reaches the server as typed, and its 400 says what is wrong. */
function NumberField({ id, label, unit, value, errors, onChange }: NumberFieldProps) {
  return (
    <div className="number-field">
      <label htmlFor={id}>
        {label} <span className="muted">({unit})</span>
      </label>
      <input
        id={id}
        inputMode="numeric"
        placeholder="default"
        value={value}
        {...invalidProps(`${id}-error`, errors)}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

/** "Agent internet access": off, an allowlist (the registries preset, extra domains, safe methods only) or on. */
import { useId } from "react";
import type { NetworkMode } from "@quire/protocol";
import { FieldError } from "./FieldError";
import { networkSummary, type NetworkForm } from "./environment-form";
import type { FieldErrors } from "./field-errors";
import { ListField } from "./ListField";

const MODES: { mode: NetworkMode | "default"; label: string; detail: string }[] = [
  { mode: "off", label: "Off", detail: "no network at all" },
  { mode: "allowlist", label: "Allowlist", detail: "only the domains listed, over HTTP(S), through a filtering proxy" },
  { mode: "on", label: "On", detail: "any public host, never the server's own services" },
  {
    mode: "default",
    label: "Not set here",
    detail: "the repository's .quire/environment.toml decides (off by default)",
  },
];

interface Props {
  network: NetworkForm;
  errors: FieldErrors;
  onChange(network: NetworkForm): void;
}

export function NetworkField({ network, errors, onChange }: Props) {
  const id = useId();
  const set = (change: Partial<NetworkForm>): void => onChange({ ...network, ...change });
  return (
    <fieldset className="field network-field">
      <legend>Agent internet access</legend>
      <p className="hint">For the agent's commands; the setup script is not affected.</p>
      <div className="radio-group">
        {MODES.map((option) => (
          <div key={option.mode}>
            <label className="radio">
              <input
                type="radio"
                name={`${id}-mode`}
                value={option.mode}
                checked={network.mode === option.mode}
                onChange={() => set({ mode: option.mode })}
              />
              <span>
                <strong>{option.label}</strong> <span className="muted">— {option.detail}</span>
              </span>
            </label>
            {option.mode === "allowlist" && network.mode === "allowlist" && (
              <AllowlistOptions id={id} network={network} errors={errors} set={set} />
            )}
          </div>
        ))}
      </div>
      <FieldError id={`${id}-mode-error`} messages={errors.under("network.mode")} />
      <p className="network-summary" data-testid="network-summary" aria-live="polite">
        {networkSummary(network)}
      </p>
    </fieldset>
  );
}

interface AllowlistProps {
  id: string;
  network: NetworkForm;
  errors: FieldErrors;
  set(change: Partial<NetworkForm>): void;
}

function AllowlistOptions({ id, network, errors, set }: AllowlistProps) {
  return (
    <div className="allowlist">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={network.preset ?? false}
          onChange={(event) => set({ preset: event.target.checked })}
        />
        Package registries preset (npm, PyPI, crates.io, Go, Maven, RubyGems, Debian/Ubuntu/Alpine, GitHub)
      </label>
      <FieldError id={`${id}-preset-error`} messages={errors.under("network.preset")} />
      <ListField
        legend="Extra domains"
        hint={'A host ("example.com") or its subdomains ("*.example.com").'}
        path="network.domains"
        itemName="domain"
        placeholder="example.com"
        values={network.domains}
        errors={errors}
        onChange={(domains) => set({ domains })}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={network.methods !== "all"}
          onChange={(event) => set({ methods: event.target.checked ? "safe" : "all" })}
        />
        Safe methods only (GET, HEAD, OPTIONS: nothing can be sent out)
      </label>
      <FieldError id={`${id}-methods-error`} messages={errors.under("network.methods")} />
    </div>
  );
}

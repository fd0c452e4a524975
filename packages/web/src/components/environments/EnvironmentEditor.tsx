/**
 * Creates or edits one environment: scripts, variables, secrets, network, limits and checks.
 * Everything is sent on Save: the definition first (POST or PUT), then the secrets' new values
 * one by one (write-only), and the form is read back from the server, which clears every value
 * typed. The server's 400 is shown next to the fields it names.
 */
import { useMemo, useState, type FormEvent } from "react";
import { ApiError, api, type ApiIssue } from "../../api/client";
import type { Environment } from "@quire/protocol";
import { FieldError, invalidProps } from "./FieldError";
import { definitionOf, emptyForm, formOf, type EnvironmentForm } from "./environment-form";
import { FieldErrors } from "./field-errors";
import { LimitsField } from "./LimitsField";
import { ListField } from "./ListField";
import { McpServersField } from "./McpServersField";
import { NetworkField } from "./NetworkField";
import { ScriptEditor } from "./ScriptEditor";
import { SecretsField } from "./SecretsField";
import { VariablesField } from "./VariablesField";

/** Paths the fields show; any other problem is shown above the buttons. */
const FIELD_PATHS = [
  "name",
  "setup",
  "maintenance",
  "variables",
  "secrets",
  "network",
  "limits",
  "checks",
  "cache_ttl_hours",
  "mcp_servers",
];

interface Props {
  repositoryId: string;
  /** null: a new environment. */
  environment: Environment | null;
  onSaved(environment: Environment, notice: string): void;
  onDeleted(name: string): void;
}

export function EnvironmentEditor({ repositoryId, environment, onSaved, onDeleted }: Props) {
  const [form, setForm] = useState<EnvironmentForm>(() => (environment ? formOf(environment) : emptyForm()));
  const [errors, setErrors] = useState(FieldErrors.none);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const original = useMemo(() => environment?.definition ?? {}, [environment]);
  const pristine = useMemo(
    () => JSON.stringify(definitionOf(environment ? formOf(environment) : emptyForm(), original)),
    [environment, original],
  );
  const dirty =
    JSON.stringify(definitionOf(form, original)) !== pristine ||
    form.secrets.some((row) => row.value !== "") ||
    (!environment && form.name.trim() !== "");

  const set = <K extends keyof EnvironmentForm>(key: K, value: EnvironmentForm[K]): void =>
    setForm((current) => ({ ...current, [key]: value }));

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setErrors(FieldErrors.none);
    setFormError(null);
    try {
      const definition = definitionOf(form, original);
      const saved = environment
        ? await api.updateEnvironment(environment.id, definition)
        : await api.createEnvironment(repositoryId, form.name.trim(), definition);
      const failures = await saveSecrets(saved, form, environment);
      const fresh = await api.environment(saved.id);
      setForm(formOf(fresh));
      const done = environment ? `Saved ${fresh.name}.` : `Created ${fresh.name}.`;
      if (failures.length > 0) setErrors(new FieldErrors(failures));
      onSaved(
        fresh,
        failures.length === 0
          ? done
          : `${done} Not stored: ${failures.map((issue) => `${issue.path.replace(/^secret:/, "")} (${issue.message})`).join("; ")}.`,
      );
    } catch (failure) {
      showFailure(failure, !environment);
    } finally {
      setBusy(false);
    }
  };

  const showFailure = (failure: unknown, creating: boolean): void => {
    if (!(failure instanceof ApiError)) {
      setFormError(failure instanceof Error ? failure.message : String(failure));
      return;
    }
    // A name already taken is a 409 without issues: it belongs next to the name.
    const issues: ApiIssue[] =
      creating && failure.status === 409 ? [{ path: "name", message: failure.message }] : [...failure.issues];
    const fieldErrors = new FieldErrors(issues);
    setErrors(fieldErrors);
    const unclaimed = fieldErrors.unclaimed(FIELD_PATHS);
    setFormError(
      issues.length === 0
        ? failure.message
        : unclaimed.length > 0
          ? unclaimed.map((issue) => `${issue.path}: ${issue.message}`).join("; ")
          : "The server refused some fields: see the messages next to them.",
    );
  };

  const remove = (): void => {
    if (!environment) return;
    setBusy(true);
    api
      .deleteEnvironment(environment.id)
      .then(() => onDeleted(environment.name))
      .catch((failure: unknown) => {
        setConfirmingDelete(false);
        showFailure(failure, false);
      })
      .finally(() => setBusy(false));
  };

  return (
    <form
      className="environment-editor"
      aria-label={environment ? `Environment ${environment.name}` : "New environment"}
      onSubmit={(event) => void save(event)}
      noValidate
    >
      <div className="editor-head">
        {environment ? (
          <h2>{environment.name}</h2>
        ) : (
          <div className="field name-field">
            <label htmlFor="environment-name">Name</label>
            <input
              id="environment-name"
              value={form.name}
              placeholder="e.g. node-20"
              required
              {...invalidProps("environment-name-error", errors.under("name"))}
              onChange={(event) => set("name", event.target.value)}
            />
            <FieldError id="environment-name-error" messages={errors.under("name")} />
          </div>
        )}
        {dirty && <span className="badge tone-active">Unsaved changes</span>}
      </div>

      <ScriptEditor
        label="Setup script"
        hint="Runs once, with the network and the secrets, before the agent; its result is cached as a snapshot."
        value={form.setup}
        errors={errors.under("setup")}
        onChange={(value) => set("setup", value)}
      />
      <ScriptEditor
        label="Maintenance script"
        hint="Runs when a cached snapshot is reused (e.g. to install what the new commit needs)."
        value={form.maintenance}
        errors={errors.under("maintenance")}
        onChange={(value) => set("maintenance", value)}
      />
      <VariablesField rows={form.variables} errors={errors} onChange={(rows) => set("variables", rows)} />
      <SecretsField rows={form.secrets} errors={errors} onChange={(rows) => set("secrets", rows)} />
      <NetworkField network={form.network} errors={errors} onChange={(network) => set("network", network)} />
      <LimitsField
        limits={form.limits}
        cacheTtlHours={form.cacheTtlHours}
        errors={errors}
        onChange={(limits) => set("limits", limits)}
        onCacheTtlChange={(value) => set("cacheTtlHours", value)}
      />
      <ListField
        legend="Checks"
        hint="Commands the verification gate runs on the diff in a fresh sandbox; all must pass."
        path="checks"
        itemName="check"
        placeholder="npm test"
        values={form.checks}
        errors={errors}
        onChange={(checks) => set("checks", checks)}
      />
      <McpServersField rows={form.mcpServers} errors={errors} onChange={(rows) => set("mcpServers", rows)} />

      <div className="editor-actions">
        {formError && (
          <p className="error-text form-error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : environment ? "Save changes" : "Create environment"}
        </button>
        {environment &&
          (confirmingDelete ? (
            <span className="confirm" role="group" aria-label="Confirm deletion">
              Delete {environment.name} and its secrets?
              <button type="button" className="danger" onClick={remove} disabled={busy}>
                Delete
              </button>
              <button type="button" className="quiet" onClick={() => setConfirmingDelete(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" className="quiet danger" onClick={() => setConfirmingDelete(true)}>
              Delete environment
            </button>
          ))}
      </div>
    </form>
  );
}

/**
 * Removes the stored values of secrets taken off the list, then stores the values typed. A
 * failure is reported against its secret and does not stop the others.
 */
async function saveSecrets(saved: Environment, form: EnvironmentForm, before: Environment | null): Promise<ApiIssue[]> {
  const failures: ApiIssue[] = [];
  const kept = new Set(form.secrets.map((row) => row.name.trim()));
  for (const stored of before?.secrets ?? []) {
    if (kept.has(stored.name)) continue;
    await api.deleteSecret(saved.id, stored.name).catch((failure: unknown) => {
      failures.push({ path: "secrets", message: `${stored.name}: ${messageOf(failure)}` });
    });
  }
  for (const row of form.secrets) {
    const name = row.name.trim();
    if (row.value === "" || name === "") continue;
    await api.setSecret(saved.id, name, row.value).catch((failure: unknown) => {
      failures.push({ path: `secret:${name}`, message: messageOf(failure) });
    });
  }
  return failures;
}

function messageOf(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

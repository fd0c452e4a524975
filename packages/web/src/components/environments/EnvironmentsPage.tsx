/**
 * The environments of a repository: the list, and the editor of the one selected (or of a new
 * one). An environment applies over the repository's own `.quire/environment.toml`; tasks pick
 * it in the composer.
 */
import { useCallback, useEffect, useState } from "react";
import { api } from "../../api/client";
import type { Environment, Repository } from "@quire/protocol";
import { environmentsHref, navigate } from "../../lib/router";
import { EnvironmentEditor } from "./EnvironmentEditor";

const LAST_REPOSITORY = "quire.lastRepository";

type Selection = { kind: "environment"; id: string } | { kind: "new" } | null;

export function EnvironmentsPage({ repositoryId }: { repositoryId: string | null }) {
  const [repositories, setRepositories] = useState<Repository[] | null>(null);
  const [environments, setEnvironments] = useState<Environment[] | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .repositories()
      .then(setRepositories)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);

  const remembered = window.localStorage.getItem(LAST_REPOSITORY);
  const repository =
    repositories?.find((candidate) => candidate.id === repositoryId) ??
    (repositoryId === null
      ? (repositories?.find((candidate) => candidate.id === remembered) ?? repositories?.[0])
      : undefined);

  const load = useCallback((id: string) => {
    api
      .environments(id)
      .then((list) => {
        setEnvironments(list);
        setError(null);
        // The first one is shown when nothing (or something gone) was selected.
        setSelection((current) =>
          current?.kind === "new" || (current && list.some((e) => e.id === current.id))
            ? current
            : list[0]
              ? { kind: "environment", id: list[0].id }
              : { kind: "new" },
        );
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);

  useEffect(() => {
    setEnvironments(null);
    setSelection(null);
    setNotice(null);
    if (repository) load(repository.id);
  }, [repository, load]);

  const selected =
    selection?.kind === "environment" ? environments?.find((candidate) => candidate.id === selection.id) : undefined;

  const onSaved = (environment: Environment, message: string): void => {
    setEnvironments((list) => {
      const others = (list ?? []).filter((candidate) => candidate.id !== environment.id);
      return [...others, environment].sort((a, b) => a.name.localeCompare(b.name));
    });
    setSelection({ kind: "environment", id: environment.id });
    setNotice(message);
  };
  const onDeleted = (name: string): void => {
    setNotice(`Deleted ${name}.`);
    setSelection(null);
    if (repository) load(repository.id);
  };

  return (
    <div className="environments-page">
      <header className="environments-head">
        <h1>Environments</h1>
        <label className="repository-picker">
          <span>Repository</span>
          <select
            aria-label="Environments of repository"
            value={repository?.id ?? ""}
            onChange={(event) => navigate(environmentsHref(event.target.value))}
          >
            {repositories?.length === 0 && <option value="">No repository yet</option>}
            {repositories?.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
      </header>
      <p className="muted intro">
        What a task's sandbox starts from: the same keys as a repository's <code>.quire/environment.toml</code>, applied
        over it. Pick one for a task in the composer.
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {repositories?.length === 0 && <p className="empty">Add a repository with “+ Repo” in the composer first.</p>}
      {repositoryId !== null && repositories && !repository && (
        <p className="error-text" role="alert">
          No repository {repositoryId}.
        </p>
      )}
      <p className="notice" role="status">
        {notice}
      </p>
      {repository && environments && (
        <div className="environments-layout">
          <nav className="environment-list" aria-label={`Environments of ${repository.name}`}>
            <ul>
              {environments.map((environment) => (
                <li key={environment.id}>
                  <button
                    type="button"
                    className={selected?.id === environment.id ? "selected" : ""}
                    aria-current={selected?.id === environment.id ? "true" : undefined}
                    onClick={() => {
                      setSelection({ kind: "environment", id: environment.id });
                      setNotice(null);
                    }}
                  >
                    <span className="environment-name">{environment.name}</span>
                    <span className="muted">{summary(environment)}</span>
                  </button>
                </li>
              ))}
            </ul>
            {environments.length === 0 && <p className="empty">No environment yet.</p>}
            <button
              type="button"
              className={selection?.kind === "new" ? "selected new-environment" : "new-environment"}
              onClick={() => {
                setSelection({ kind: "new" });
                setNotice(null);
              }}
            >
              + New environment
            </button>
          </nav>
          {selection?.kind === "new" && (
            <EnvironmentEditor
              key={`new-${repository.id}`}
              repositoryId={repository.id}
              environment={null}
              onSaved={onSaved}
              onDeleted={onDeleted}
            />
          )}
          {selected && (
            <EnvironmentEditor
              key={selected.id}
              repositoryId={repository.id}
              environment={selected}
              onSaved={onSaved}
              onDeleted={onDeleted}
            />
          )}
        </div>
      )}
    </div>
  );
}

/** "network allowlist · 2 secrets": what sets the environment apart, in the list. */
function summary(environment: Environment): string {
  const { definition } = environment;
  const parts = [
    definition.network?.mode ? `network ${definition.network.mode}` : null,
    environment.secrets.length > 0
      ? `${environment.secrets.length} secret${environment.secrets.length === 1 ? "" : "s"}`
      : null,
    definition.checks?.length ? `${definition.checks.length} check${definition.checks.length === 1 ? "" : "s"}` : null,
  ].filter((part) => part !== null);
  return parts.join(" · ") || "defaults";
}

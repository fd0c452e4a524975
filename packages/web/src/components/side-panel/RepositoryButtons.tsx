/**
 * Beside the repository picker: add a repository, and manage the chosen one (rename it, or remove
 * it once none of its tasks is running; its tasks stay readable, its environments are deleted).
 */
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { Repository } from "@quire/protocol";
import { ConfirmButton } from "../ConfirmButton";

interface Props {
  repository: Repository | undefined;
  onAdd(): void;
  /** After a rename (the id to keep selected) or a removal (no id). */
  onChanged(select?: string): void;
}

export function RepositoryButtons({ repository, onAdd, onChanged }: Props) {
  const [managing, setManaging] = useState(false);
  const [name, setName] = useState(repository?.name ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Another repository chosen: its own name, and no stale error.
  useEffect(() => {
    setName(repository?.name ?? "");
    setError(null);
  }, [repository?.id, repository?.name]);

  const run = (action: () => Promise<void>): void => {
    setBusy(true);
    setError(null);
    action()
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  const rename = (event: FormEvent): void => {
    event.preventDefault();
    if (!repository) return;
    run(async () => {
      const renamed = await api.renameRepository(repository.id, name.trim());
      onChanged(renamed.id);
    });
  };

  const remove = (): void => {
    if (!repository) return;
    run(async () => {
      await api.removeRepository(repository.id);
      setManaging(false);
      onChanged();
    });
  };

  return (
    <>
      <span className="row">
        <button type="button" className="quiet" title="Add a repository" onClick={onAdd}>
          + Repo
        </button>
        {repository && (
          <button
            type="button"
            className="quiet"
            aria-expanded={managing}
            aria-label="Manage repository"
            title="Rename or remove this repository"
            onClick={() => setManaging(!managing)}
          >
            ⋯
          </button>
        )}
      </span>
      {managing && repository && (
        <form className="manage-repository" aria-label="Manage repository" onSubmit={rename}>
          <input
            aria-label="New repository name"
            value={name}
            maxLength={200}
            onChange={(event) => setName(event.target.value)}
          />
          <div className="row">
            <button type="submit" disabled={busy || name.trim() === "" || name.trim() === repository.name}>
              Rename
            </button>
            <ConfirmButton
              action="Remove"
              label={repository.name}
              question={`Remove ${repository.name}? Its tasks stay readable; its environments are deleted.`}
              confirmLabel={`Confirm removing ${repository.name}`}
              onConfirm={remove}
            />
            <button type="button" className="quiet" onClick={() => setManaging(false)}>
              Close
            </button>
          </div>
          {error && <p className="error-text">{error}</p>}
        </form>
      )}
    </>
  );
}
